// dash.mjs - drives headless Chromium (playwright-core, the system's
// chromium) against vs-dash during a batch (tests/integration/dash.sh).
// Usage: node dash.mjs URL SCREENSHOT LONG_JOB_ID
// Checks, each within a deadline: both workers (wA, wB) are listed; the
// long job's row shows its progress advancing; the done count reaches 3;
// the failure of random.mp4 is listed with its reason. Exit 0 when all
// pass, 1 with the reason otherwise; the screenshot is taken either way.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [url, shot, longJob] = process.argv.slice(2);
const exe = process.env.VS_CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const log = (...a) => console.log("--", new Date().toISOString().slice(11, 19), ...a);
let ok = false;
try {
  await page.goto(url);
  await page.waitForFunction(() => {
    const ids = [...document.querySelectorAll("#workers tr.worker")].map(r => r.dataset.worker);
    return ids.includes("wA") && ids.includes("wB");
  }, null, { timeout: 30000 });
  log("both workers listed");

  const pct = async () => page.evaluate(id => {
    const r = [...document.querySelectorAll("#running tr.job")].find(x => x.dataset.job === id);
    return r ? Number(r.querySelector(".pct").textContent) : null;
  }, longJob);
  let first = null, later = null;
  for (let i = 0; i < 600 && later === null; i++) {
    const p = await pct();
    if (p !== null && first === null && p < 90) first = p;
    else if (p !== null && first !== null && p > first) later = p;
    await page.waitForTimeout(100);
  }
  if (first === null || later === null)
    throw new Error(`the long job's progress was not seen advancing (first ${first})`);
  log(`long job progress ${first}% -> ${later}%`);

  await page.waitForFunction(() => Number(document.getElementById("done").textContent) >= 3,
                             null, { timeout: 90000 });
  log("done count", await page.textContent("#done"));
  await page.waitForFunction(() => [...document.querySelectorAll("#failures tr.failure")]
    .some(r => r.textContent.includes("random.mp4") && r.querySelector(".reason").textContent.length > 5),
    null, { timeout: 30000 });
  const reason = await page.evaluate(() => [...document.querySelectorAll("#failures tr.failure")]
    .find(r => r.textContent.includes("random.mp4")).querySelector(".reason").textContent);
  log("failure listed:", reason);
  ok = true;
} catch (e) {
  console.error("FAIL:", e.message);
} finally {
  await page.screenshot({ path: shot, fullPage: true }).catch(e => console.error(e.message));
  await browser.close();
}
process.exit(ok ? 0 : 1);
