// Where the local stack's MariaDB answers, for tests against it (scripts/stack up mariadb):
// STACK_MYSQL_PORT (3306) and the admin option file the stack writes
// (SHOPSTREAM_MYSQL_OPTION_FILE, else .cache/run/mysql.cnf under the source tree).
#pragma once

#include <cstdlib>
#include <string>

#include "mysql/mysql_client.h"

namespace shopstream::mysql {

inline std::string StackEnv(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline int StackPort() { return std::stoi(StackEnv("STACK_MYSQL_PORT", "3306")); }

inline std::string StackOptionFile(const std::string& source_dir) {
  return StackEnv("SHOPSTREAM_MYSQL_OPTION_FILE", source_dir + "/.cache/run/mysql.cnf");
}

// The stack's admin, connected to `database` (empty: none).
inline ConnectOptions StackAdminOptions(const std::string& source_dir,
                                        const std::string& database) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = StackPort();
  o.user = "admin";
  o.database = database;
  o.option_file = StackOptionFile(source_dir);
  return o;
}

}  // namespace shopstream::mysql
