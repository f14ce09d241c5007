// A fake WebHDFS for tests: a NameNode and a DataNode (cpp-httplib servers on loopback, files
// in memory) that answer the operations the WebHDFS destination uses (MKDIRS, the two-step
// CREATE through a redirect, RENAME, GETFILESTATUS, DELETE, LISTSTATUS), with safe mode and a
// refused path to classify. The real HDFS is tested by tests/integration/test_archive.py.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace shopstream::hdfs {

class FakeWebHdfs {
 public:
  // The DataNode on `datanode_host` (another loopback address is another host).
  explicit FakeWebHdfs(std::string datanode_host = "127.0.0.1")
      : datanode_host_(std::move(datanode_host)) {
    namenode_port_ = namenode_.bind_to_any_port("127.0.0.1");
    datanode_port_ = datanode_.bind_to_any_port(datanode_host_);
    namenode_.Put(R"(/webhdfs/v1(/.*))",
                  [this](const auto& req, auto& res) { NameNode(req, res); });
    namenode_.Get(R"(/webhdfs/v1(/.*))",
                  [this](const auto& req, auto& res) { NameNode(req, res); });
    namenode_.Delete(R"(/webhdfs/v1(/.*))",
                     [this](const auto& req, auto& res) { NameNode(req, res); });
    datanode_.Put(R"(/webhdfs/v1(/.*))", [this](const auto& req, auto& res) {
      std::lock_guard lock(mu_);
      files_[req.matches[1]] = req.body;
      res.status = 201;
    });
    threads_.emplace_back([this] { namenode_.listen_after_bind(); });
    threads_.emplace_back([this] { datanode_.listen_after_bind(); });
    // Until both accept: a stop() that came before listen_after_bind() would be missed and
    // the destructor would wait for ever (a test that makes no request at all).
    for (int i = 0; i < 10'000 && !(namenode_.is_running() && datanode_.is_running()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~FakeWebHdfs() {
    namenode_.stop();
    datanode_.stop();
    for (auto& t : threads_) t.join();
  }
  int port() const { return namenode_port_; }
  std::map<std::string, std::string> files() {
    std::lock_guard lock(mu_);
    return files_;
  }
  std::string last_user;
  std::atomic<bool> safe_mode{false};

 private:
  void NameNode(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    const std::string path = req.matches[1];
    const std::string op = req.get_param_value("op");
    last_user = req.get_param_value("user.name");
    auto json = [&](int status, const std::string& body) {
      res.status = status;
      res.set_content(body, "application/json");
    };
    if (path.find(':') != std::string::npos) {  // as a DataNode passes the refusal on
      return json(403, R"({"RemoteException":{"exception":"RemoteException","message":)"
                       R"("Invalid path name /x:y\n\tat org.apache.hadoop.hdfs.Foo"}})");
    }
    if (safe_mode && op != "LISTSTATUS") {
      return json(403, R"({"RemoteException":{"exception":"SafeModeException",)"
                       R"("message":"Name node is in safe mode."}})");
    }
    if (op == "MKDIRS") {  // and its parents, as HDFS does
      for (size_t at = path.find('/', 1); at != std::string::npos; at = path.find('/', at + 1)) {
        dirs_.insert(path.substr(0, at));
      }
      dirs_.insert(path);
      return json(200, R"({"boolean":true})");
    }
    if (op == "CREATE") {
      res.status = 307;
      res.set_header("Location", "http://" + datanode_host_ + ":" + std::to_string(datanode_port_) +
                                     "/webhdfs/v1" + path + "?op=CREATE&overwrite=true");
      return;
    }
    if (op == "RENAME") {
      const std::string to = req.get_param_value("destination");
      bool ok = files_.count(path) && !files_.count(to);
      if (ok) {
        files_[to] = files_[path];
        files_.erase(path);
      }
      return json(200, ok ? R"({"boolean":true})" : R"({"boolean":false})");
    }
    if (op == "GETFILESTATUS") {
      if (files_.count(path)) return json(200, R"({"FileStatus":{"type":"FILE"}})");
      return json(404,
                  R"({"RemoteException":{"exception":"FileNotFoundException","message":"no"}})");
    }
    if (op == "DELETE") {
      bool there = files_.erase(path) > 0;
      return json(200, there ? R"({"boolean":true})" : R"({"boolean":false})");
    }
    if (op == "LISTSTATUS") {
      if (!dirs_.count(path)) {
        return json(404,
                    R"({"RemoteException":{"exception":"FileNotFoundException","message":"no"}})");
      }
      std::string body = R"({"FileStatuses":{"FileStatus":[)";
      const std::string prefix = path + "/";
      bool first = true;
      for (const auto& [name, bytes] : files_) {
        if (!name.starts_with(prefix) || name.find('/', prefix.size()) != std::string::npos)
          continue;
        body += std::string(first ? "" : ",") + R"({"pathSuffix":")" + name.substr(prefix.size()) +
                R"(","type":"FILE"})";
        first = false;
      }
      for (const std::string& dir : dirs_) {
        if (!dir.starts_with(prefix) || dir.find('/', prefix.size()) != std::string::npos) continue;
        body += std::string(first ? "" : ",") + R"({"pathSuffix":")" + dir.substr(prefix.size()) +
                R"(","type":"DIRECTORY"})";
        first = false;
      }
      return json(200, body + "]}}");
    }
    json(400, R"({"RemoteException":{"exception":"IllegalArgumentException","message":"op"}})");
  }

  std::string datanode_host_;
  httplib::Server namenode_, datanode_;
  int namenode_port_ = 0, datanode_port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::set<std::string> dirs_;
};

}  // namespace shopstream::hdfs
