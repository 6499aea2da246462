#!/usr/bin/env bash
# kafka.sh - a real Apache Kafka (KRaft) on this machine, for the tests
# and for anyone who wants the farm's broker on one host.
#
#   scripts/kafka.sh fetch [VERSION]          download Kafka with Maven; prints its lib folder
#   scripts/kafka.sh start DIR [options]      start the broker(s) kept in DIR; prints the
#                                             bootstrap address first on stdout
#       --version V      Kafka version (default $VS_KAFKA_VERSION or the newest tested)
#       --nodes N        N combined broker+controller nodes (3: replication factor 3)
#       --cluster N      the same as --nodes N
#       --prop K=V       a broker property (repeatable), e.g. message.max.bytes=2097152
#       --secure         TLS listeners with SASL/SCRAM-SHA-512 and mutual TLS, ACLs on
#                        (StandardAuthorizer); see "Secure mode" below
#       --scram USER:PASSWORD   a SCRAM-SHA-512 user made when DIR is formatted (repeatable)
#     A DIR that was formatted before is started again on the same data and
#     settings (options are then ignored); only nodes that are not running start.
#   scripts/kafka.sh stop DIR [NODE]          stop every node (or one) cleanly; data is kept
#   scripts/kafka.sh kill DIR NODE            kill -9 one node (failure drills)
#   scripts/kafka.sh addr DIR                 the bootstrap address again
#   scripts/kafka.sh tool DIR CLASS [ARGS]    run a Kafka class, e.g. topics / acls / configs
#                                             (short names for the version's TopicCommand,
#                                             AclCommand, ConfigCommand)
#
# Tested versions: 3.9.2 and 4.4.0 (VS_KAFKA_VERSIONS). Kafka is fetched
# from Maven Central with a generated pom into
# ${VS_KAFKA_CACHE:-~/.cache/vs-kafka}/VERSION/lib, once. Each node runs
# in a small JVM (-Xmx320m, serial GC; VS_KAFKA_HEAP overrides); its
# logs go to DIR/nodeN/server.log and DIR/nodeN/jvm.out, never to the
# terminal. Everything listens on 127.0.0.1 only.
#
# Secure mode: DIR/tls holds a CA (ca.pem, ca.key) and the brokers' keys,
# made with openssl. Listeners: the first line is SASL_SSL (SCRAM-SHA-512),
# then "SSL host:port" (client certificate required; the principal is the
# certificate's CN, "User:CN") and "ADMIN host:port", a PLAINTEXT listener
# on loopback whose clients are super users (administration: topics, ACLs).
# The user "admin" (password "admin-secret" unless given with --scram
# admin:...) is a super user too. librdkafka before 2.6.1 (Debian 12:
# 2.0.2) cannot log in with SCRAM to Kafka 4 (docs/operations.md): use
# the SSL listener with a client certificate signed by DIR/tls/ca.pem.
set -euo pipefail

VS_KAFKA_VERSIONS=${VS_KAFKA_VERSIONS:-"3.9.2 4.4.0"}
CACHE=${VS_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vs-kafka}
HEAP=${VS_KAFKA_HEAP:-320m}

die() { echo "kafka.sh: $*" >&2; exit 1; }
newest() { local v; for v in $VS_KAFKA_VERSIONS; do :; done; echo "$v"; }

# fetch VERSION: the broker jars and their dependencies, through Maven.
fetch() {
    local v=$1 dir="$CACHE/$1"
    [[ -f $dir/lib/.complete ]] && { echo "$dir/lib"; return; }
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka: apt-get install maven default-jdk-headless"
    command -v java >/dev/null || die "Java 17 is needed: apt-get install default-jdk-headless"
    mkdir -p "$dir"
    (
        flock 9
        [[ -f $dir/lib/.complete ]] && exit 0
        local tmp="$dir/tmp.$$"
        rm -rf "$tmp" && mkdir -p "$tmp"
        cat > "$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vs</groupId><artifactId>kafka-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$v</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$v</version></dependency>
  </dependencies>
</project>
EOF
        echo "kafka.sh: fetching Kafka $v with Maven" >&2
        (cd "$tmp" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory=lib > mvn.log 2>&1) ||
            { tail -n 20 "$tmp/mvn.log" >&2; die "Maven could not fetch Kafka $v"; }
        # Kafka 4 logs through log4j 2, but its pom brings no SLF4J binding.
        local l4j
        l4j=$(cd "$tmp/lib" && ls log4j-core-*.jar 2>/dev/null | sed 's/^log4j-core-//; s/\.jar$//' | head -n1)
        if [[ -n $l4j ]]; then
            (cd "$tmp" && mvn -q -B dependency:copy \
                -Dartifact="org.apache.logging.log4j:log4j-slf4j-impl:$l4j" \
                -DoutputDirectory=lib >> mvn.log 2>&1) ||
                { tail -n 20 "$tmp/mvn.log" >&2; die "Maven could not fetch log4j-slf4j-impl $l4j"; }
        fi
        touch "$tmp/lib/.complete"
        rm -rf "$dir/lib" && mv "$tmp/lib" "$dir/lib" && rm -rf "$tmp"
    ) 9> "$dir/.lock"
    echo "$dir/lib"
}

# A free TCP port on 127.0.0.1 (nothing answers there now).
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
        grep -qw "$p" "${TAKEN:-/dev/null}" 2>/dev/null && continue
        echo "$p"
        return
    done
    die "no free port"
}

# java_run LIB LOGDIR CLASS ARGS...: a Kafka class in the foreground.
java_run() {
    local lib=$1 logdir=$2 cls=$3
    shift 3
    java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
        -Dkafka.logs.dir="$logdir" -Dlog4j.configuration="file:$D/log4j.properties" \
        -Dlog4j2.configurationFile="$D/log4j2.properties" \
        -cp "$lib/*" "$cls" "$@"
}

tool_class() {
    local major=${VERSION%%.*}
    case $1 in
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    acls) [[ $major -ge 4 ]] && echo org.apache.kafka.tools.AclCommand || echo kafka.admin.AclCommand ;;
    configs) [[ $major -ge 4 ]] && echo org.apache.kafka.tools.ConfigCommand || echo kafka.admin.ConfigCommand ;;
    storage) echo kafka.tools.StorageTool ;;
    *) echo "$1" ;;
    esac
}

load() {
    D=$(cd "$1" 2>/dev/null && pwd) || die "no such folder: $1"
    [[ -f $D/cluster.env ]] || die "$D holds no Kafka started by this script"
    # shellcheck disable=SC1091
    . "$D/cluster.env"
    LIB=$(fetch "$VERSION")
}

write_logging() {
    cat > "$D/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, F
log4j.appender.F=org.apache.log4j.FileAppender
log4j.appender.F.File=${kafka.logs.dir}/server.log
log4j.appender.F.layout=org.apache.log4j.PatternLayout
log4j.appender.F.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.raft=WARN
EOF
    cat > "$D/log4j2.properties" <<'EOF'
status = error
appender.f.type = File
appender.f.name = F
appender.f.fileName = ${sys:kafka.logs.dir}/server.log
appender.f.layout.type = PatternLayout
appender.f.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.f.ref = F
logger.req.name = kafka.request.logger
logger.req.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
EOF
}

# make_tls: a CA and one key pair for the brokers (CN=localhost, SAN
# 127.0.0.1), the key encrypted with PBE-SHA1-3DES: Java 17 reads no PBES2 keys.
make_tls() {
    local t="$D/tls"
    mkdir -p "$t"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=vs-test-ca" \
        -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$t/broker.key" -out "$t/broker.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$t/broker.ext"
    openssl x509 -req -in "$t/broker.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
        -days 30 -extfile "$t/broker.ext" -out "$t/broker.pem" 2>/dev/null
    openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout pass:broker-key -in "$t/broker.key" \
        -out "$t/broker.enc.key"
    cat "$t/broker.enc.key" "$t/broker.pem" > "$t/broker-keystore.pem"
}

node_props() {
    local n=$1 i voters="" f="$D/node$n/server.properties"
    for ((i = 1; i <= NODES; i++)); do
        local cp=CPORT_$i
        voters+="${voters:+,}$i@127.0.0.1:${!cp}"
    done
    local pp=PORT_$n cp=CPORT_$n sp=SPORT_$n tp=TPORT_$n
    local rf=$((NODES < 3 ? NODES : 3))
    {
        echo "process.roles=broker,controller"
        echo "node.id=$n"
        echo "controller.quorum.voters=$voters"
        echo "controller.listener.names=CONTROLLER"
        if [[ $SECURE == 1 ]]; then
            echo "listeners=INTERNAL://127.0.0.1:${!pp},SASL_SSL://127.0.0.1:${!sp},SSL://127.0.0.1:${!tp},CONTROLLER://127.0.0.1:${!cp}"
            echo "advertised.listeners=INTERNAL://127.0.0.1:${!pp},SASL_SSL://127.0.0.1:${!sp},SSL://127.0.0.1:${!tp}"
            echo "listener.security.protocol.map=INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT"
            echo "inter.broker.listener.name=INTERNAL"
            echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
            echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
            echo "ssl.keystore.type=PEM"
            echo "ssl.keystore.location=$D/tls/broker-keystore.pem"
            echo "ssl.key.password=broker-key"
            echo "ssl.truststore.type=PEM"
            echo "ssl.truststore.location=$D/tls/ca.pem"
            echo "listener.name.ssl.ssl.client.auth=required"
            echo "ssl.principal.mapping.rules=RULE:^CN=([^,]*).*\$/\$1/,DEFAULT"
            echo "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"
            echo "super.users=User:ANONYMOUS;User:admin"
            echo "allow.everyone.if.no.acl.found=false"
        else
            echo "listeners=PLAINTEXT://127.0.0.1:${!pp},CONTROLLER://127.0.0.1:${!cp}"
            echo "advertised.listeners=PLAINTEXT://127.0.0.1:${!pp}"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            echo "inter.broker.listener.name=PLAINTEXT"
        fi
        echo "log.dirs=$D/node$n/data"
        echo "offsets.topic.replication.factor=$rf"
        echo "offsets.topic.num.partitions=8"
        echo "transaction.state.log.replication.factor=$rf"
        echo "transaction.state.log.min.isr=$((rf > 1 ? 2 : 1))"
        echo "default.replication.factor=$rf"
        echo "min.insync.replicas=$((rf > 1 ? 2 : 1))"
        echo "group.initial.rebalance.delay.ms=0"
        # small machines: few threads
        echo "num.network.threads=2"
        echo "num.io.threads=2"
        echo "background.threads=2"
        echo "num.recovery.threads.per.data.dir=1"
        echo "log.cleaner.threads=1"
        echo "log.cleaner.dedupe.buffer.size=2097152"
        local kv
        for kv in "${PROPS[@]}"; do echo "$kv"; done
    } > "$f"
}

running() { local p; p=$(cat "$D/node$1/pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }

addr() {
    local i out="" pv
    if [[ $SECURE == 1 ]]; then
        for ((i = 1; i <= NODES; i++)); do pv=SPORT_$i; out+="${out:+,}127.0.0.1:${!pv}"; done
        echo "$out"
        out=""
        for ((i = 1; i <= NODES; i++)); do pv=TPORT_$i; out+="${out:+,}127.0.0.1:${!pv}"; done
        echo "SSL $out"
        out=""
        for ((i = 1; i <= NODES; i++)); do pv=PORT_$i; out+="${out:+,}127.0.0.1:${!pv}"; done
        echo "ADMIN $out"
    else
        for ((i = 1; i <= NODES; i++)); do pv=PORT_$i; out+="${out:+,}127.0.0.1:${!pv}"; done
        echo "$out"
    fi
}

plain_addr() {
    local i out="" pv
    for ((i = 1; i <= NODES; i++)); do pv=PORT_$i; out+="${out:+,}127.0.0.1:${!pv}"; done
    echo "$out"
}

cmd_start() {
    local dir=$1
    shift
    VERSION=${VS_KAFKA_VERSION:-$(newest)}
    NODES=1
    SECURE=0
    PROPS=()
    local scram=()
    while [[ $# -gt 0 ]]; do
        case $1 in
        --version) VERSION=$2; shift 2 ;;
        --nodes | --cluster) NODES=$2; shift 2 ;;
        --prop) PROPS+=("$2"); shift 2 ;;
        --secure) SECURE=1; shift ;;
        --scram) scram+=("$2"); shift 2 ;;
        *) die "start: unknown option $1" ;;
        esac
    done
    mkdir -p "$dir"
    D=$(cd "$dir" && pwd)
    local fresh=0
    if [[ ! -f $D/cluster.env ]]; then
        fresh=1
        [[ $NODES =~ ^[1-9]$ ]] || die "--nodes wants 1..9"
        LIB=$(fetch "$VERSION")
        TAKEN="$D/ports"
        : > "$TAKEN"
        local i
        {
            echo "VERSION=$VERSION"
            echo "NODES=$NODES"
            echo "SECURE=$SECURE"
            echo "CLUSTER_ID=$(java_run "$LIB" "$D" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
            for ((i = 1; i <= NODES; i++)); do
                for k in PORT CPORT SPORT TPORT; do
                    local p
                    p=$(free_port)
                    echo "$p" >> "$TAKEN"
                    echo "${k}_$i=$p"
                done
            done
            printf 'PROPS=('
            [[ ${#PROPS[@]} -eq 0 ]] || printf '%q ' "${PROPS[@]}"
            printf ')\n'
        } > "$D/cluster.env.new"
        mv "$D/cluster.env.new" "$D/cluster.env"
    fi
    load "$D"
    [[ -n $CLUSTER_ID ]] || die "could not make a cluster id (see $D)"
    write_logging
    if [[ $fresh == 1 && $SECURE == 1 ]]; then
        make_tls
        local have_admin=0 u
        for u in "${scram[@]}"; do [[ ${u%%:*} == admin ]] && have_admin=1; done
        [[ $have_admin == 1 ]] || scram+=("admin:admin-secret")
    fi
    local n
    for ((n = 1; n <= NODES; n++)); do
        mkdir -p "$D/node$n"
        running "$n" && continue
        node_props "$n"
        if [[ ! -f $D/node$n/data/meta.properties ]]; then
            local sa=() u
            for u in "${scram[@]}"; do
                sa+=(--add-scram "SCRAM-SHA-512=[name=${u%%:*},password=${u#*:}]")
            done
            java_run "$LIB" "$D/node$n" kafka.tools.StorageTool format -t "$CLUSTER_ID" \
                -c "$D/node$n/server.properties" --ignore-formatted "${sa[@]}" \
                > "$D/node$n/format.log" 2>&1 ||
                { cat "$D/node$n/format.log" >&2; die "formatting node $n failed"; }
        fi
        # setsid: a Ctrl-C in the terminal that started it does not reach Kafka.
        setsid java -Xms64m -Xmx"$HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
            -XX:MaxDirectMemorySize=128m -Djava.awt.headless=true \
            -Dkafka.logs.dir="$D/node$n" -Dlog4j.configuration="file:$D/log4j.properties" \
            -Dlog4j2.configurationFile="$D/log4j2.properties" \
            -cp "$LIB/*" kafka.Kafka "$D/node$n/server.properties" \
            > "$D/node$n/jvm.out" 2>&1 < /dev/null &
        echo $! > "$D/node$n/pid"
    done
    # Ready when every running node answers metadata on its own listener.
    local deadline=$((SECONDS + 120)) pv ok
    while :; do
        ok=1
        for ((n = 1; n <= NODES; n++)); do
            running "$n" || continue
            pv=PORT_$n
            kcat -b "127.0.0.1:${!pv}" -L -m 3 >/dev/null 2>&1 || ok=0
        done
        [[ $ok == 1 ]] && break
        for ((n = 1; n <= NODES; n++)); do
            [[ -f $D/node$n/pid ]] && ! running "$n" &&
                die "node $n exited at start (see $D/node$n/server.log, jvm.out)"
        done
        ((SECONDS < deadline)) || die "Kafka not ready after 120 s (see $D/node*/server.log)"
        sleep 0.5
    done
    addr
}

cmd_stop() {
    load "$1"
    local n from=1 to=$NODES pids=()
    [[ -n ${2:-} ]] && from=$2 && to=$2
    for ((n = from; n <= to; n++)); do
        running "$n" || continue
        local p
        p=$(cat "$D/node$n/pid")
        kill -TERM "$p"
        pids+=("$p")
    done
    local deadline=$((SECONDS + 60)) p
    for p in "${pids[@]}"; do
        while kill -0 "$p" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        if kill -0 "$p" 2>/dev/null; then
            echo "kafka.sh: node with pid $p did not stop in 60 s; killing it" >&2
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
}

cmd_kill() {
    load "$1"
    [[ -n ${2:-} ]] || die "kill DIR NODE"
    running "$2" || die "node $2 is not running"
    local p
    p=$(cat "$D/node$2/pid")
    kill -KILL "$p"
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
}

cmd_tool() {
    load "$1"
    local cls
    cls=$(tool_class "$2")
    shift 2
    local args=("$@") i
    # --bootstrap-server BOOT: the admin listener.
    for i in "${!args[@]}"; do [[ ${args[i]} == BOOT ]] && args[i]=$(plain_addr); done
    java_run "$LIB" "$D" "$cls" "${args[@]}"
}

case ${1:-} in
fetch) fetch "${2:-${VS_KAFKA_VERSION:-$(newest)}}" ;;
start) [[ -n ${2:-} ]] || die "start DIR [options]"; cmd_start "${@:2}" ;;
stop) [[ -n ${2:-} ]] || die "stop DIR [NODE]"; cmd_stop "${@:2}" ;;
kill) cmd_kill "${@:2}" ;;
addr) load "${2:?addr DIR}"; addr ;;
tool) [[ -n ${3:-} ]] || die "tool DIR CLASS [ARGS]"; cmd_tool "${@:2}" ;;
versions) echo "$VS_KAFKA_VERSIONS" ;;
*) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
