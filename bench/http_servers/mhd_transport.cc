// libmicrohttpd in front of our routes: its internal polling thread with a pool of four (today's
// server has four workers), its connection limit, per-connection memory limit (which bounds
// the head), and inactivity timeout; event streams suspend their connection while they have
// nothing to send and are resumed by Broadcast.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "http_servers/transport.h"

namespace shopstream::bench {
namespace {

// One event stream: what waits to be sent, and whether its connection is suspended for lack of
// it. Shared by the content reader (MHD's threads) and Broadcast.
class MhdTransport;
struct Stream {
  MhdTransport* owner = nullptr;
  std::mutex mu;
  MHD_Connection* connection = nullptr;
  std::string pending;
  bool suspended = false;
  bool dropped = false;
};

// Per request: its body as it arrives.
struct Upload {
  std::string body;
  bool refused = false;
};

class MhdTransport final : public Transport {
 public:
  ~MhdTransport() override {
    if (daemon_) {
      std::vector<std::shared_ptr<Stream>> streams;
      {
        std::lock_guard lock(mu_);
        streams = streams_;
      }
      for (auto& s : streams) ResumeForGood(*s);
    }
    if (daemon_) MHD_stop_daemon(daemon_);
  }

  Status Start(serve::HttpHandler handler, const serve::HttpServerOptions& options) override {
    handler_ = std::move(handler);
    options_ = options;
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const unsigned timeout_s =
        static_cast<unsigned>(std::max<long long>(1, options.request_timeout.count() / 1000));
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, nullptr,
        nullptr, &MhdTransport::Access, this, MHD_OPTION_SOCK_ADDR, &at,
        MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(std::max(1, options.workers)),
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(options.max_connections),
        // The head and the read buffer live in this pool: it is the head limit.
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, options.max_head_bytes + options.max_body_bytes,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
        &MhdTransport::Completed, nullptr, MHD_OPTION_END);
    if (!daemon_) return Status::Unavailable("libmicrohttpd: cannot start the daemon");
    const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port_ = info ? info->port : 0;
    return Status::Ok();
  }
  int port() const override { return port_; }

  void Broadcast(std::string data) override {
    std::vector<std::shared_ptr<Stream>> streams;
    {
      std::lock_guard lock(mu_);
      streams = streams_;
    }
    for (auto& s : streams) {
      std::lock_guard stream_lock(s->mu);
      if (s->dropped) continue;
      if (s->pending.size() + data.size() > options_.max_stream_backlog) {
        s->dropped = true;  // the reader ends it when it next runs
      } else {
        s->pending += data;
      }
      if (s->suspended) {
        s->suspended = false;
        MHD_resume_connection(s->connection);
      }
    }
  }

 private:
  static void ResumeForGood(Stream& s) {
    std::lock_guard lock(s.mu);
    s.dropped = true;
    if (s.suspended) {
      s.suspended = false;
      MHD_resume_connection(s.connection);
    }
  }

  static ssize_t ReadStream(void* cls, uint64_t, char* buf, size_t max) {
    auto* s = static_cast<Stream*>(cls);
    std::lock_guard lock(s->mu);
    if (s->dropped) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->pending.empty()) {
      s->suspended = true;
      MHD_suspend_connection(s->connection);
      return 0;
    }
    const size_t n = std::min(max, s->pending.size());
    std::copy_n(s->pending.data(), n, buf);
    s->pending.erase(0, n);
    return static_cast<ssize_t>(n);
  }

  // Called by MHD when the stream's response goes: the stream leaves the list.
  static void FreeStream(void* cls) {
    auto* s = static_cast<Stream*>(cls);
    MhdTransport* owner = s->owner;
    std::lock_guard lock(owner->mu_);
    std::erase_if(owner->streams_, [s](const auto& p) { return p.get() == s; });
  }

  static void Completed(void*, MHD_Connection*, void** request_state, MHD_RequestTerminationCode) {
    delete static_cast<Upload*>(*request_state);
    *request_state = nullptr;
  }

  // MHD leaves the body out of HEAD answers itself.
  static MHD_Response* FromResponse(serve::HttpResponse& res) {
    MHD_Response* r;
    if (!res.static_body.empty()) {
      r = MHD_create_response_from_buffer(res.static_body.size(),
                                          const_cast<char*>(res.static_body.data()),
                                          MHD_RESPMEM_PERSISTENT);
    } else {
      auto* owned = new std::string(std::move(res.body));
      r = MHD_create_response_from_buffer_with_free_callback_cls(
          owned->size(), owned->data(), [](void* p) { delete static_cast<std::string*>(p); },
          owned);
    }
    for (const auto& [name, value] : res.headers) {
      MHD_add_response_header(r, name.c_str(), value.c_str());
    }
    return r;
  }

  MHD_Result Answer(MHD_Connection* connection, serve::HttpResponse res) {
    for (const auto& [name, value] : options_.common_headers) res.SetHeader(name, value);
    const int status = res.status;
    MHD_Response* r = FromResponse(res);
    MHD_Result rc = MHD_queue_response(connection, static_cast<unsigned>(status), r);
    MHD_destroy_response(r);
    return rc;
  }

  MHD_Result OpenStream(MHD_Connection* connection, serve::HttpResponse res) {
    std::lock_guard lock(mu_);
    if (streams_.size() >= options_.max_event_streams) {
      return Answer(connection, serve::ErrorResponse(503, "too many live streams"));
    }
    auto s = std::make_shared<Stream>();
    s->owner = this;
    s->connection = connection;
    if (res.greeting) s->pending = res.greeting();
    MHD_Response* r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, &ReadStream,
                                                        s.get(), &FreeStream);
    for (const auto& [name, value] : res.headers) {
      MHD_add_response_header(r, name.c_str(), value.c_str());
    }
    for (const auto& [name, value] : options_.common_headers) {
      MHD_add_response_header(r, name.c_str(), value.c_str());
    }
    streams_.push_back(std::move(s));
    MHD_Result rc = MHD_queue_response(connection, static_cast<unsigned>(res.status), r);
    MHD_destroy_response(r);
    return rc;
  }

  static MHD_Result Access(void* cls, MHD_Connection* connection, const char* url,
                           const char* method, const char* version, const char* upload_data,
                           size_t* upload_size, void** request_state) {
    auto* self = static_cast<MhdTransport*>(cls);
    auto* upload = static_cast<Upload*>(*request_state);
    if (!upload) {
      upload = new Upload;
      *request_state = upload;
      const char* length =
          MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (length && std::strtoull(length, nullptr, 10) > self->options_.max_body_bytes) {
        upload->refused = true;  // answered at once, before the body is read
        return self->Answer(connection, serve::ErrorResponse(413, "the request body is too large"));
      }
      return MHD_YES;
    }
    if (upload->refused) return MHD_YES;
    if (*upload_size > 0) {
      if (upload->body.size() + *upload_size > self->options_.max_body_bytes) {
        upload->refused = true;
        return self->Answer(connection, serve::ErrorResponse(413, "the request body is too large"));
      }
      upload->body.append(upload_data, *upload_size);
      *upload_size = 0;
      return MHD_YES;
    }
    serve::HttpRequest req;
    req.method = method;
    req.minor_version = std::string_view(version) == "HTTP/1.0" ? 0 : 1;
    // MHD hands the path and the arguments decoded; the routes read them the same way.
    req.path = url;
    req.target = url;
    MHD_get_connection_values(
        connection, MHD_GET_ARGUMENT_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
          static_cast<serve::HttpRequest*>(cls)->query.emplace_back(key, value ? value : "");
          return MHD_YES;
        },
        &req);
    MHD_get_connection_values(
        connection, MHD_HEADER_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
          static_cast<serve::HttpRequest*>(cls)->headers.emplace_back(key, value ? value : "");
          return MHD_YES;
        },
        &req);
    req.body = std::move(upload->body);
    req.content_length = req.body.size();
    serve::HttpResponse res;
    try {
      res = self->handler_(req);
    } catch (const std::exception& e) {
      res = serve::ErrorResponse(500, e.what());
    }
    const bool head_only = req.method == "HEAD";
    if (res.event_stream && !head_only) return self->OpenStream(connection, std::move(res));
    return self->Answer(connection, std::move(res));
  }

  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  serve::HttpHandler handler_;
  serve::HttpServerOptions options_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Stream>> streams_;
};

}  // namespace

std::unique_ptr<Transport> MakeMhdTransport() { return std::make_unique<MhdTransport>(); }

}  // namespace shopstream::bench
