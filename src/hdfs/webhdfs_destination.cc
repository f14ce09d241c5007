#include "hdfs/webhdfs_destination.h"

#include <httplib.h>
#include <pwd.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <string_view>

namespace shopstream::hdfs {
namespace {

// RemoteException classes that no retry will cure; anything else from the server (safe mode,
// a NameNode that is starting, no DataNode registered yet, a 5xx) is treated as an outage.
const std::set<std::string, std::less<>> kPermanentExceptions = {
    "AccessControlException",   "FileAlreadyExistsException", "ParentNotDirectoryException",
    "IllegalArgumentException", "InvalidPathException",       "UnsupportedOperationException",
    "SecurityException",        "FileNotFoundException",      "PathIsNotEmptyDirectoryException",
};

// Percent-encodes all but unreserved characters, '/' and, in a path (not in a query value,
// where it would end the key), '='.
std::string PercentEncode(const std::string& text, bool in_path = true) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' ||
        (c == '=' && in_path)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The hosts a CREATE may be redirected to: the NameNode's, and those of ?datanodes=A,B.
std::set<std::string, std::less<>> RedirectHosts(const Uri& uri) {
  std::set<std::string, std::less<>> hosts = {Lower(uri.host)};
  const std::string listed = uri.Param("datanodes");
  for (size_t begin = 0; begin <= listed.size();) {
    const size_t comma = std::min(listed.find(',', begin), listed.size());
    if (comma > begin) hosts.insert(Lower(listed.substr(begin, comma - begin)));
    begin = comma + 1;
  }
  return hosts;
}

// The host of "http://HOST:PORT/..." or "http://[V6]:PORT/..." ("" when there is none).
std::string HostOf(std::string_view origin) {
  origin.remove_prefix(std::min(origin.size(), std::string_view("http://").size()));
  if (origin.starts_with('[')) return std::string(origin.substr(1, origin.find(']') - 1));
  return std::string(origin.substr(0, origin.find(':')));
}

std::string DefaultUser() {
  if (const char* user = std::getenv("HADOOP_USER_NAME"); user && *user) return user;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return pw->pw_name;
  return "shopstream";
}

// httplib's error names ("Connection", "Read") as what they mean here.
std::string Explain(httplib::Error error, std::chrono::seconds connect_timeout) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect (refused, or no such host): is the NameNode running there?";
    case httplib::Error::ConnectionTimeout:
      return "no connection within " + std::to_string(connect_timeout.count()) + " s";
    case httplib::Error::Read:
      return "the connection closed or stalled without an HTTP answer (is PORT the NameNode's "
             "HTTP port, 9870 by default?)";
    case httplib::Error::Write:
      return "sending the request failed (the connection closed)";
    default:
      return httplib::to_string(error);
  }
}

struct Reply {
  int status = 0;
  std::string body;
  std::string location;
};

class WebHdfsDestination final : public archive::Destination {
 public:
  WebHdfsDestination(const Uri& uri, const WebHdfsOptions& options)
      : uri_(uri.text),
        host_(uri.host),
        port_(uri.port > 0 ? uri.port : 9870),
        root_("/" + uri.path),
        user_(uri.user.empty() ? DefaultUser() : uri.user),
        redirect_hosts_(RedirectHosts(uri)),
        options_(options) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  }

  Status MakeDirs(const std::string& dir) override {
    auto r = Call("PUT", dir, "MKDIRS");
    if (!r.ok()) return r.status();
    return Expect(*r, 200, "creating folder " + Abs(dir));
  }

  Result<std::vector<std::string>> List(const std::string& dir) override {
    auto r = Call("GET", dir, "LISTSTATUS");
    if (!r.ok()) return r.status();
    std::vector<std::string> names;
    if (r->status == 404) return names;
    if (Status s = Expect(*r, 200, "listing " + Abs(dir)); !s.ok()) return s;
    simdjson::dom::parser parser;
    simdjson::dom::array entries;
    if (parser.parse(r->body).at_pointer("/FileStatuses/FileStatus").get(entries)) {
      return Status::Unavailable(Where() + ": listing " + Abs(dir) + ": unexpected answer " +
                                 r->body.substr(0, 200));
    }
    for (simdjson::dom::element entry : entries) {
      std::string_view name;
      if (!entry["pathSuffix"].get(name)) names.emplace_back(name);
    }
    return names;
  }

  Status Write(const std::string& path, std::string_view bytes) override {
    // Two steps, as WebHDFS asks: the NameNode answers 307 with the DataNode to send to.
    auto r = Call("PUT", path, "CREATE", "&overwrite=true");
    if (!r.ok()) return r.status();
    if (r->status != 307 || r->location.empty()) {
      return Expect(*r, 307, "creating " + Abs(path));
    }
    auto target = SplitLocation(r->location);
    if (!target.ok()) return target.status();
    httplib::Client datanode(target->first);
    Configure(datanode);
    httplib::Headers headers;
    auto put = datanode.Put(target->second, headers, bytes.data(), bytes.size(),
                            "application/octet-stream");
    if (!put) {
      return Status::Unavailable(Where() + ": writing " + Abs(path) + " to the DataNode at " +
                                 target->first + ": " +
                                 Explain(put.error(), options_.connect_timeout));
    }
    Reply reply{put->status, put->body, ""};
    return Expect(reply, 201, "writing " + Abs(path));
  }

  Status Rename(const std::string& from, const std::string& to) override {
    auto r = Call("PUT", from, "RENAME", "&destination=" + PercentEncode(Abs(to), false));
    if (!r.ok()) return r.status();
    if (Status s = Expect(*r, 200, "renaming " + Abs(from)); !s.ok()) return s;
    if (Boolean(r->body)) return Status::Ok();
    // false: the source is missing or the target exists. A retry of a rename that was done?
    auto from_there = Exists(from);
    if (!from_there.ok()) return from_there.status();
    auto to_there = Exists(to);
    if (!to_there.ok()) return to_there.status();
    if (!*from_there && *to_there) return Status::Ok();
    return Status::IoError(Where() + ": cannot rename " + Abs(from) + " to " + Abs(to) +
                           (*from_there ? " (the target exists)" : " (the source is missing)"));
  }

  Status Delete(const std::string& path) override {
    auto r = Call("DELETE", path, "DELETE");
    if (!r.ok()) return r.status();
    if (r->status == 404) return Status::Ok();
    return Expect(*r, 200, "deleting " + Abs(path));  // {"boolean": false}: it was not there
  }

  const std::string& uri() const override { return uri_; }

 private:
  std::string Where() const { return "WebHDFS at " + host_ + ":" + std::to_string(port_); }
  std::string Abs(const std::string& relative) const {
    if (relative.empty()) return root_;
    return root_ == "/" ? "/" + relative : root_ + "/" + relative;
  }

  void Configure(httplib::Client& client) const {
    client.set_follow_location(false);
    client.set_connection_timeout(options_.connect_timeout);
    client.set_read_timeout(options_.io_timeout);
    client.set_write_timeout(options_.io_timeout);
    client.set_keep_alive(false);
  }

  // One request to the NameNode: /webhdfs/v1/ABS?op=OP&user.name=USER EXTRA.
  Result<Reply> Call(const char* method, const std::string& path, const char* op,
                     const std::string& extra = "") {
    std::string target = "/webhdfs/v1" + PercentEncode(Abs(path)) + "?op=" + op +
                         "&user.name=" + PercentEncode(user_, false) + extra;
    httplib::Client client(host_, port_);
    Configure(client);
    httplib::Result res = std::string_view(method) == "GET"      ? client.Get(target)
                          : std::string_view(method) == "DELETE" ? client.Delete(target)
                                                                 : client.Put(target, "", "");
    if (!res) {
      return Status::Unavailable(Where() + ": " + op + " " + Abs(path) + ": " +
                                 Explain(res.error(), options_.connect_timeout));
    }
    // Hadoop's RPC port answers HTTP with a plain-text 404 saying so; no retry will help.
    if (res->body.find("HTTP request to a Hadoop IPC port") != std::string::npos) {
      return Status::InvalidArgument(
          Where() +
          ": this is a Hadoop RPC port (8020 is the NameNode's), not WebHDFS: use the "
          "NameNode's HTTP port (dfs.namenode.http-address, 9870 by default)");
    }
    return Reply{res->status, res->body, res->get_header_value("Location")};
  }

  // Ok for the expected status; otherwise the server's RemoteException, classified.
  Status Expect(const Reply& r, int expected, const std::string& what) const {
    if (r.status == expected) return Status::Ok();
    std::string exception, message;
    simdjson::dom::parser parser;
    simdjson::dom::element remote;
    if (!parser.parse(r.body).at_pointer("/RemoteException").get(remote)) {
      std::string_view text;
      if (!remote["exception"].get(text)) exception = text;
      if (!remote["message"].get(text)) {
        message = std::string(text.substr(0, std::min<size_t>(text.find('\n'), 300)));
      }
    }
    std::string line = Where() + ": " + what + ": HTTP " + std::to_string(r.status) +
                       (exception.empty() ? "" : " " + exception) +
                       (message.empty() ? "" : ": " + message);
    if (kPermanentExceptions.contains(exception)) {
      return exception == "FileNotFoundException" ? Status::NotFound(line) : Status::IoError(line);
    }
    // A DataNode passes the NameNode's refusals on wrapped as a bare RemoteException: tell the
    // permanent ones by their messages.
    for (std::string_view permanent : {"Invalid path name", "Permission denied", "already exists",
                                       "is not a directory", "Parent path is not a directory"}) {
      if (exception == "RemoteException" && message.find(permanent) != std::string::npos) {
        return Status::IoError(line);
      }
    }
    if (exception.empty() && r.status >= 400 && r.status < 500) return Status::IoError(line);
    return Status::Unavailable(line);
  }

  static bool Boolean(const std::string& body) {
    simdjson::dom::parser parser;
    bool value = false;
    return !parser.parse(body).at_pointer("/boolean").get(value) && value;
  }

  Result<bool> Exists(const std::string& path) {
    auto r = Call("GET", path, "GETFILESTATUS");
    if (!r.ok()) return r.status();
    if (r->status == 404) return false;
    if (Status s = Expect(*r, 200, "looking up " + Abs(path)); !s.ok()) return s;
    return true;
  }

  // "http://host:port/path?query" -> ("http://host:port", "/path?query"), for a host the file
  // may go to: a NameNode (or whoever answers on its port) must not send the file elsewhere.
  Result<std::pair<std::string, std::string>> SplitLocation(const std::string& location) const {
    size_t scheme = location.find("://");
    size_t slash = scheme == std::string::npos ? scheme : location.find('/', scheme + 3);
    if (slash == std::string::npos || !location.starts_with("http://")) {
      return Status::IoError(Where() + ": unexpected redirect '" + location.substr(0, 200) +
                             "' (only http:// DataNodes are supported)");
    }
    const std::string origin = location.substr(0, slash);
    const std::string host = HostOf(origin);
    if (!redirect_hosts_.contains(Lower(host))) {
      return Status::IoError(Where() + ": refusing the redirect to the DataNode at " +
                             origin.substr(0, 200) + ": only the NameNode's host is trusted; " +
                             "list the DataNodes' hosts with ?datanodes=HOST,HOST");
    }
    return std::make_pair(origin, location.substr(slash));
  }

  std::string uri_;
  std::string host_;
  int port_;
  std::string root_;
  std::string user_;
  std::set<std::string, std::less<>> redirect_hosts_;  // lower case
  WebHdfsOptions options_;
};

}  // namespace

Result<std::unique_ptr<archive::Destination>> OpenWebHdfsDestination(
    const Uri& uri, const WebHdfsOptions& options) {
  if (Status s = uri.CheckParams({"datanodes"}); !s.ok()) return s;
  if (uri.host.find(',') != std::string::npos) {
    return Status::InvalidArgument("'" + uri.text + "': name one NameNode (HOST:PORT)");
  }
  return std::unique_ptr<archive::Destination>(std::make_unique<WebHdfsDestination>(uri, options));
}

}  // namespace shopstream::hdfs
