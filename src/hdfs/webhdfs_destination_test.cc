// The WebHDFS destination against a fake NameNode and DataNode (cpp-httplib servers on
// 127.0.0.1 holding files in memory): the two-step create through the redirect, renames,
// listings, deletes, and how failures are classified. The real HDFS is tested by
// tests/integration/test_archive.py.
#include "hdfs/webhdfs_destination.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "archive/destination.h"
#include "endpoints/open_destination.h"

namespace shopstream::hdfs {
namespace {

class FakeHdfs {
 public:
  // The DataNode on `datanode_host` (another loopback address is another host).
  explicit FakeHdfs(std::string datanode_host = "127.0.0.1")
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
    // bind_to_any_port() listens already: connections wait in the backlog until accepted.
  }
  ~FakeHdfs() {
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
    if (op == "MKDIRS") {
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

TEST(WebHdfsDestination, WritesThroughTheRedirectAndRenames) {
  FakeHdfs hdfs;
  auto d = endpoints::OpenDestination("hdfs://tester@127.0.0.1:" + std::to_string(hdfs.port()) +
                                      "/arch");
  ASSERT_TRUE(d.ok());
  archive::Destination& dest = **d;
  ASSERT_TRUE(dest.MakeDirs("event_date=2019-11-01").ok());
  EXPECT_EQ(hdfs.last_user, "tester");
  std::string bytes(300'000, 'p');
  ASSERT_TRUE(dest.Write("event_date=2019-11-01/_a.tmp", bytes).ok());
  ASSERT_TRUE(dest.Rename("event_date=2019-11-01/_a.tmp", "event_date=2019-11-01/a.parquet").ok());
  Status again = dest.Rename("event_date=2019-11-01/_a.tmp", "event_date=2019-11-01/a.parquet");
  EXPECT_TRUE(again.ok()) << "a retried rename that was done is fine: " << again.ToString();
  EXPECT_FALSE(dest.Rename("event_date=2019-11-01/_b.tmp", "event_date=2019-11-01/b.parquet").ok());
  EXPECT_EQ(hdfs.files().at("/arch/event_date=2019-11-01/a.parquet"), bytes);
  auto names = dest.List("event_date=2019-11-01");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, std::vector<std::string>{"a.parquet"});
  EXPECT_TRUE(dest.List("event_date=2019-11-09")->empty());
  ASSERT_TRUE(dest.Delete("event_date=2019-11-01/a.parquet").ok());
  ASSERT_TRUE(dest.Delete("event_date=2019-11-01/a.parquet").ok());
  EXPECT_TRUE(hdfs.files().empty());
}

// The file goes only where the user said it may: a NameNode (or whatever answers on its port)
// redirecting elsewhere gets nothing.
TEST(WebHdfsDestination, FollowsTheRedirectOnlyToTheNameNodesHostOrListedHosts) {
  FakeHdfs hdfs("127.0.0.2");
  const std::string base = "hdfs://127.0.0.1:" + std::to_string(hdfs.port()) + "/arch";
  auto d = endpoints::OpenDestination(base);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Status s = (*d)->Write("x/_a.tmp", "bytes");
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("127.0.0.2"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("datanodes="), std::string::npos) << s.ToString();
  EXPECT_TRUE(hdfs.files().empty());

  auto listed = endpoints::OpenDestination(base + "?datanodes=10.0.0.9,127.0.0.2");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_TRUE((*listed)->Write("x/_a.tmp", "bytes").ok());
  EXPECT_EQ(hdfs.files().at("/arch/x/_a.tmp"), "bytes");
}

TEST(WebHdfsDestination, UnknownOptionsAreRefusedByName) {
  auto d = endpoints::OpenDestination("hdfs://127.0.0.1:9870/arch?datanode=127.0.0.2");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("'datanode'"), std::string::npos) << d.status().ToString();
  EXPECT_NE(d.status().message().find("known: datanodes"), std::string::npos)
      << d.status().ToString();
}

TEST(WebHdfsDestination, SafeModeAndSilenceAreRetryableOthersAreNot) {
  FakeHdfs hdfs;
  auto d = endpoints::OpenDestination("hdfs://127.0.0.1:" + std::to_string(hdfs.port()) + "/arch");
  ASSERT_TRUE(d.ok());
  hdfs.safe_mode = true;
  Status s = (*d)->Write("x/_a.tmp", "bytes");
  EXPECT_TRUE(s.retryable()) << s.ToString();
  EXPECT_NE(s.message().find("SafeModeException"), std::string::npos) << s.ToString();
  hdfs.safe_mode = false;
  Status refused = (*d)->Write("x/a:b", "bytes");
  EXPECT_FALSE(refused.retryable()) << refused.ToString();
  EXPECT_EQ(refused.message().find("\tat "), std::string::npos) << "no stack trace in messages";

  // Nobody listens on this port (bound, then closed): Unavailable.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  close(fd);
  auto gone = endpoints::OpenDestination("hdfs://127.0.0.1:" + std::to_string(port) + "/arch");
  ASSERT_TRUE(gone.ok());
  Status down = (*gone)->MakeDirs("x");
  EXPECT_TRUE(down.retryable()) << down.ToString();
  EXPECT_NE(down.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

}  // namespace
}  // namespace shopstream::hdfs
