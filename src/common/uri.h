// Endpoints are URIs, one scheme per kind of system:
//   sqlite:///abs/path.db  sqlite://rel/path.db  kafka://host:port/topic
//   cassandra://host:port/keyspace.table  mysql://user@host:port/database.table
//   postgres://user@host:port/database.schema.table (or postgresql://)
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream {

struct Uri {
  std::string scheme;  // lower case, e.g. "sqlite"
  std::string user;    // before '@', may be empty; never a password
  std::string host;    // may be a comma-separated list of host:port for clusters
  int port = 0;        // 0 when not given
  std::string path;    // without the leading '/' for network schemes; a file path for sqlite
  std::map<std::string, std::string> query;
  // The URI for messages: as given, but with the value of every option whose key names a
  // password, secret or key shown as *** (RedactUri), so that it can go into any log line.
  std::string text;

  // Returns "" when absent.
  std::string Param(const std::string& key, const std::string& fallback = "") const;
  // InvalidArgument naming the first option that is not in `known`, so that a typo such as
  // ?retian=5 is not silently ignored.
  Status CheckParams(std::initializer_list<std::string_view> known) const;
};

// True for an option key that names a secret: it contains "password", "secret" or "key"
// (any case), as in rdkafka.sasl.password or rdkafka.ssl.key.pem.
bool IsSecretKey(std::string_view key);

// `text` with the values of secret-named query options replaced by ***.
std::string RedactUri(std::string_view text);

// "SCHEME://USER@HOST:PORT/PATH" for messages about a server, leaving out an empty user and a
// port of 0; an empty host reads as localhost.
std::string ServerUri(std::string_view scheme, const std::string& user, const std::string& host,
                      int port, std::string_view path);

// Parses a URI. A password in the URI ("user:secret@") is refused so that secrets never
// travel on the command line. The scheme is lower case; postgresql:// (libpq's spelling)
// becomes postgres://.
Result<Uri> ParseUri(const std::string& text);

// InvalidArgument "'sqlit:///x.db': unknown scheme 'sqlit'; known: sqlite, kafka" when the
// scheme of `text` is not one of `known` (a text without "://" is left to ParseUri).
Status CheckScheme(const std::string& text, std::initializer_list<std::string_view> known);

}  // namespace shopstream
