// Adapts a database client's connection (src/mysql, src/postgres: Exec, Prepare returning a
// statement with Execute, Query and affected_rows, healthy) to the core's SqlConnection, so that a
// database's folder needs no adapter code of its own. With Base = SqlSession, the database's
// session derives from it and adds its bulk path over the typed client().
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "sql/sql_connection.h"
#include "sql/sql_session.h"

namespace shopstream::sql {

template <typename ClientStatement>
class ClientSqlStatement final : public SqlStatement {
 public:
  explicit ClientSqlStatement(ClientStatement stmt) : stmt_(std::move(stmt)) {}
  Status Execute(std::span<const SqlValue> values) override { return stmt_.Execute(values); }
  Result<std::vector<SqlRow>> Query(std::span<const SqlValue> values) override {
    return stmt_.Query(values);
  }
  int64_t affected_rows() const override { return static_cast<int64_t>(stmt_.affected_rows()); }

 private:
  ClientStatement stmt_;
};

template <typename Client, typename ClientStatement, typename Base = SqlConnection>
class ClientSqlConnection : public Base {
 public:
  explicit ClientSqlConnection(std::unique_ptr<Client> client) : client_(std::move(client)) {}

  Status Exec(const std::string& sql, const std::string& what) override {
    return client_->Exec(sql, what);
  }
  Result<std::unique_ptr<SqlStatement>> Prepare(const std::string& sql,
                                                const std::string& what) override {
    auto stmt = client_->Prepare(sql, what);
    if (!stmt.ok()) return stmt.status();
    return std::unique_ptr<SqlStatement>(
        new ClientSqlStatement<ClientStatement>(std::move(stmt).value()));
  }
  bool healthy() const override { return client_->healthy(); }

 protected:
  // For the database's bulk path, which uses what only its client has (LOAD DATA, COPY).
  Client& client() { return *client_; }
  const Client& client() const { return *client_; }

 private:
  std::unique_ptr<Client> client_;
};

}  // namespace shopstream::sql
