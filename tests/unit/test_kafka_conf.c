/* test_kafka_conf.c - the shared farm configuration: defaults, VS_BROKERS,
 * option checks, --path-map rewriting, deep copies, and the librdkafka
 * configuration it builds (a bad -X is refused with its key). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kafka/client.h"

static void test_defaults(void **state)
{
    vs_kafka_conf c;
    unsetenv("VS_BROKERS");
    assert_int_equal(vs_kafka_conf_init(&c), 0);
    assert_null(c.brokers);
    assert_string_equal(c.jobs_topic, "vs.jobs");
    assert_string_equal(c.status_topic, "vs.status");
    assert_string_equal(c.group, "vs-workers");
    assert_int_equal(c.jobs_partitions, VS_KAFKA_JOBS_PARTITIONS);
    vs_kafka_conf_release(&c);
    setenv("VS_BROKERS", "k1:9092,k2:9092", 1);
    assert_int_equal(vs_kafka_conf_init(&c), 0);
    assert_string_equal(c.brokers, "k1:9092,k2:9092");
    vs_kafka_conf_release(&c);
    setenv("VS_BROKERS", "", 1);
    assert_int_equal(vs_kafka_conf_init(&c), 0);
    assert_null(c.brokers); /* empty = not named */
    vs_kafka_conf_release(&c);
    unsetenv("VS_BROKERS");
}

static void test_setters(void **state)
{
    vs_kafka_conf c;
    char err[256];
    vs_kafka_conf_init(&c);
    assert_int_equal(vs_kafka_conf_set_brokers(&c, "", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_set_brokers(&c, "b:1", err, sizeof err), 0);
    assert_int_equal(vs_kafka_conf_set_topic(&c, 0, "farm.jobs-2_x", err, sizeof err), 0);
    assert_string_equal(c.jobs_topic, "farm.jobs-2_x");
    assert_int_equal(vs_kafka_conf_set_topic(&c, 1, "bad topic", err, sizeof err), -1);
    assert_non_null(strstr(err, "bad topic"));
    assert_int_equal(vs_kafka_conf_set_topic(&c, 1, "..", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_set_topic(&c, 1, "", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_set_group(&c, "", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_set_group(&c, "g", err, sizeof err), 0);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "novalue", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "=x", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "k=v=w", err, sizeof err), 0);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "empty=", err, sizeof err), 0);
    assert_int_equal(c.n_props, 2);
    assert_int_equal(vs_path_maps_add(&c.maps, "rel=/x", err, sizeof err), -1);
    assert_int_equal(vs_path_maps_add(&c.maps, "/x=rel", err, sizeof err), -1);
    assert_int_equal(vs_path_maps_add(&c.maps, "/nas", err, sizeof err), -1);
    vs_kafka_conf_release(&c);
}

/* -X naming a file librdkafka reads: refused at once when it cannot be read. */
static void test_file_props(void **state)
{
    vs_kafka_conf c;
    char err[256];
    vs_kafka_conf_init(&c);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.ca.location=/no/such/ca.pem", err, sizeof err), -1);
    assert_non_null(strstr(err, "ssl.ca.location=/no/such/ca.pem: cannot read /no/such/ca.pem"));
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.key.location=/no/key", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.certificate.location=/no/c", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "sasl.kerberos.keytab=/no/k", err, sizeof err), -1);
    assert_int_equal(c.n_props, 0);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.ca.location=probe", err, sizeof err), 0);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.ca.location=/dev/null", err, sizeof err), 0);
    assert_int_equal(vs_kafka_conf_add_prop(&c, "ssl.ca.location.x=/no", err, sizeof err), 0);
    assert_int_equal(c.n_props, 3);
    vs_kafka_conf_release(&c);
}

/* Refused jobs go to the jobs topic + ".dead" unless named. */
static void test_dead_topic(void **state)
{
    vs_kafka_conf c, d;
    char err[256], buf[256];
    vs_kafka_conf_init(&c);
    assert_string_equal(vs_kafka_dead_topic(&c, buf, sizeof buf), "vs.jobs.dead");
    vs_kafka_conf_set_topic(&c, VS_TOPIC_JOBS, "farm.jobs", err, sizeof err);
    assert_string_equal(vs_kafka_dead_topic(&c, buf, sizeof buf), "farm.jobs.dead");
    assert_int_equal(vs_kafka_conf_set_topic(&c, VS_TOPIC_DEAD, "bad topic", err, sizeof err), -1);
    assert_int_equal(vs_kafka_conf_set_topic(&c, VS_TOPIC_DEAD, "parked", err, sizeof err), 0);
    assert_string_equal(vs_kafka_dead_topic(&c, buf, sizeof buf), "parked");
    assert_string_equal(c.jobs_topic, "farm.jobs");
    assert_int_equal(vs_kafka_conf_copy(&d, &c), 0);
    assert_string_equal(d.dead_topic, "parked");
    vs_kafka_conf_release(&d);
    vs_kafka_conf_release(&c);
}

static void test_path_map(void **state)
{
    vs_kafka_conf c;
    char err[256], buf[64];
    vs_kafka_conf_init(&c);
    /* no rule: unchanged */
    assert_string_equal(vs_path_maps_apply(&c.maps, "/nas/a.mp4", buf, sizeof buf), "/nas/a.mp4");
    assert_int_equal(vs_path_maps_add(&c.maps, "/nas/session/out/=/fast/out", err, sizeof err), 0);
    assert_int_equal(vs_path_maps_add(&c.maps, "/nas=/mnt/nas/", err, sizeof err), 0);
    static const struct { const char *in, *out; } cases[] = {
        {"/nas/session/a.mp4", "/mnt/nas/session/a.mp4"},
        {"/nas/session/out/a.mp4", "/fast/out/a.mp4"},   /* first match wins */
        {"/nas", "/mnt/nas"},
        {"/nas2/a.mp4", "/nas2/a.mp4"},                   /* component boundary */
        {"/other/nas/a.mp4", "/other/nas/a.mp4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(vs_path_maps_apply(&c.maps, cases[i].in, buf, sizeof buf), cases[i].out);
    char tiny[8];
    assert_null(vs_path_maps_apply(&c.maps, "/nas/session/a.mp4", tiny, sizeof tiny));
    vs_kafka_conf_release(&c);

    vs_kafka_conf_init(&c);
    assert_int_equal(vs_path_maps_add(&c.maps, "/=/chroot", err, sizeof err), 0);
    assert_string_equal(vs_path_maps_apply(&c.maps, "/a/b", buf, sizeof buf), "/chroot/a/b");
    vs_kafka_conf_release(&c);
    vs_kafka_conf_init(&c);
    assert_int_equal(vs_path_maps_add(&c.maps, "/data=/", err, sizeof err), 0);
    assert_string_equal(vs_path_maps_apply(&c.maps, "/data/a", buf, sizeof buf), "/a");
    assert_string_equal(vs_path_maps_apply(&c.maps, "/data", buf, sizeof buf), "/");
    vs_kafka_conf_release(&c);
}

static void test_copy(void **state)
{
    vs_kafka_conf a, b;
    char err[256];
    vs_kafka_conf_init(&a);
    vs_kafka_conf_set_brokers(&a, "b:1", err, sizeof err);
    vs_kafka_conf_add_prop(&a, "linger.ms=1", err, sizeof err);
    vs_path_maps_add(&a.maps, "/a=/b", err, sizeof err);
    assert_int_equal(vs_kafka_conf_copy(&b, &a), 0);
    vs_kafka_conf_release(&a);
    assert_string_equal(b.brokers, "b:1");
    assert_string_equal(b.props[0], "linger.ms=1");
    assert_string_equal(b.maps.v[0].from, "/a");
    assert_string_equal(b.maps.v[0].to, "/b");
    vs_kafka_conf_release(&b);
    vs_kafka_conf_release(NULL);
}

static void test_build(void **state)
{
    vs_kafka_conf c;
    char err[256] = "", val[256];
    size_t sz;
    vs_kafka_conf_init(&c);
    assert_null(vs_kafka_conf_build(&c, VS_KAFKA_PRODUCER, "t", err, sizeof err));
    assert_non_null(strstr(err, "broker"));
    vs_kafka_conf_set_brokers(&c, "127.0.0.1:1", err, sizeof err);

    rd_kafka_conf_t *k = vs_kafka_conf_build(&c, VS_KAFKA_CONSUMER, "w1", err, sizeof err);
    assert_non_null(k);
    sz = sizeof val;
    assert_int_equal(rd_kafka_conf_get(k, "group.id", val, &sz), RD_KAFKA_CONF_OK);
    assert_string_equal(val, "vs-workers");
    sz = sizeof val;
    rd_kafka_conf_get(k, "partition.assignment.strategy", val, &sz);
    assert_string_equal(val, "cooperative-sticky");
    sz = sizeof val;
    rd_kafka_conf_get(k, "enable.auto.offset.store", val, &sz);
    assert_string_equal(val, "false");
    sz = sizeof val;
    rd_kafka_conf_get(k, "auto.offset.reset", val, &sz);
    assert_true(!strcmp(val, "earliest") || !strcmp(val, "smallest"));
    rd_kafka_conf_destroy(k);

    /* -X comes last and wins */
    vs_kafka_conf_add_prop(&c, "auto.offset.reset=latest", err, sizeof err);
    k = vs_kafka_conf_build(&c, VS_KAFKA_CONSUMER, "w1", err, sizeof err);
    assert_non_null(k);
    sz = sizeof val;
    rd_kafka_conf_get(k, "auto.offset.reset", val, &sz);
    assert_true(!strcmp(val, "latest") || !strcmp(val, "largest"));
    rd_kafka_conf_destroy(k);

    /* a bad -X is refused, naming it */
    vs_kafka_conf_add_prop(&c, "no.such.property=1", err, sizeof err);
    assert_null(vs_kafka_conf_build(&c, VS_KAFKA_PRODUCER, "p", err, sizeof err));
    assert_non_null(strstr(err, "no.such.property"));
    vs_kafka_conf_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_setters),
        cmocka_unit_test(test_file_props),
        cmocka_unit_test(test_dead_topic),
        cmocka_unit_test(test_path_map),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
