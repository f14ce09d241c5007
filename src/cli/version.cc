#include "cli/version.h"

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <mysql.h>
#include <simdjson.h>
#include <sqlite3.h>

#ifndef SHOPSTREAM_BUILD_TYPE
#define SHOPSTREAM_BUILD_TYPE "unknown"
#endif

// simdjson's version macro is a bare token (3.0.1), not a string.
#define SHOPSTREAM_STRINGIFY_TOKEN(x) #x
#define SHOPSTREAM_STRINGIFY(x) SHOPSTREAM_STRINGIFY_TOKEN(x)

namespace shopstream::cli {

std::string VersionText() {
  const int pg = PQlibVersion();  // e.g. 150004 for 15.4
  std::string text = "shopstream 0.1.0 (" SHOPSTREAM_BUILD_TYPE " build, " __DATE__ ", " +
                     std::string(__VERSION__).substr(0, std::string(__VERSION__).find(' ')) + ")\n";
  text += "  librdkafka " + std::string(rd_kafka_version_str()) + "\n";
  text += "  MariaDB Connector/C " + std::string(mysql_get_client_info()) + "\n";
  text += "  libpq " + std::to_string(pg / 10000) + "." + std::to_string(pg % 10000) + "\n";
  text += "  SQLite " + std::string(sqlite3_libversion()) + "\n";
  text += "  simdjson " SHOPSTREAM_STRINGIFY(SIMDJSON_VERSION);
#ifdef SHOPSTREAM_WITH_PARQUET
  text += "\n  Parquet archives: yes (Apache Arrow)";
#else
  text += "\n  Parquet archives: no (built without Apache Arrow)";
#endif
  return text;
}

}  // namespace shopstream::cli
