#include "cli/uri_help.h"

#include <vector>

namespace shopstream::cli {
namespace {

struct SchemeRow {
  unsigned roles;
  const char* example;
  const char* about;    // what it is, and its ?options
  const char* secrets;  // environment variables and files that supply credentials, or ""
};

const std::vector<SchemeRow>& Schemes() {
  static const std::vector<SchemeRow> rows = {
      {kBusUri, "sqlite:///tmp/log.db",
       "embedded log (a SQLite file); ?retain=N keeps the newest N messages", ""},
      {kBusUri, "kafka://127.0.0.1:9092/ecommercetopic",
       "Kafka, HOST:PORT[,HOST:PORT...]/TOPIC; ?group=NAME, ?start=earliest|latest,\n"
       "      ?partitions=N (a topic produce creates), ?option-file=PATH (librdkafka settings),\n"
       "      ?rdkafka.KEY=VALUE (any librdkafka setting, e.g. "
       "?rdkafka.security.protocol=SASL_SSL)",
       "SHOPSTREAM_KAFKA_USER, SHOPSTREAM_KAFKA_PASSWORD, SHOPSTREAM_KAFKA_OPTION_FILE"},
      {kRawUri | kProcessedUri, "sqlite:///tmp/store.db", "embedded store (a SQLite file)", ""},
      {kRawUri | kCqlUri, "cassandra://127.0.0.1:9042/ecommerce_ks.operations",
       "Cassandra, HOST:PORT[,HOST:PORT...]/KEYSPACE.TABLE;\n"
       "      ?consistency=ONE|QUORUM|LOCAL_QUORUM|ALL|..., ?in_flight=N, ?connections=N, "
       "?timeout_ms=N",
       "SHOPSTREAM_CASSANDRA_USER, SHOPSTREAM_CASSANDRA_PASSWORD"},
      {kProcessedUri, "mysql://admin@127.0.0.1:3306/ecommerce.operations",
       "MySQL or MariaDB, USER@HOST:PORT/DATABASE.TABLE; ?option-file=PATH (a [client]\n"
       "      file: password, TLS)",
       "SHOPSTREAM_MYSQL_PASSWORD, SHOPSTREAM_MYSQL_OPTION_FILE (or ?option-file=PATH)"},
      {kProcessedUri, "postgres://shopstream@127.0.0.1:5432/ecommerce.public.operations",
       "PostgreSQL (also postgresql://), USER@HOST:PORT/DATABASE[.SCHEMA.TABLE]",
       "SHOPSTREAM_PG_PASSWORD, PGPASSFILE (libpq's password file, ~/.pgpass by default)"},
      {kArchiveUri, "file:///srv/archive/ecommerce", "a local folder", ""},
      {kArchiveUri, "hdfs://127.0.0.1:9870/shopstream/ecommerce",
       "HDFS through WebHDFS (also webhdfs://), [USER@]HOST:PORT/PATH; PORT is the NameNode's\n"
       "      HTTP port (9870 by default), not its RPC port 8020",
       "HADOOP_USER_NAME (the user when the URI names none)"},
  };
  return rows;
}

}  // namespace

std::string UriHelp(unsigned roles) {
  std::string uris, secrets;
  for (const SchemeRow& row : Schemes()) {
    if ((row.roles & roles) == 0) continue;
    uris += "  " + std::string(row.example) + "\n      " + row.about + "\n";
    if (*row.secrets && secrets.find(row.secrets) == std::string::npos) {
      secrets += "  " + std::string(row.secrets) + "\n";
    }
  }
  if (uris.empty()) return "";
  std::string text = "URIs:\n" + uris;
  if (!secrets.empty()) {
    text +=
        "Secrets come from the environment or files, never from the URI or the command "
        "line:\n" +
        secrets;
  }
  text.pop_back();
  return text;
}

}  // namespace shopstream::cli
