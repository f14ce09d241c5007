// Boost.Beast (with Asio) in front of our routes: Beast parses requests within the head and
// body limits, Asio runs the sockets on four threads (today's server has four workers), and the
// answers are written with our own response heads so that the bytes are the same.
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http_servers/transport.h"

namespace shopstream::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class BeastTransport;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, BeastTransport* owner);
  ~Session();
  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }
  // On the session's strand: queues broadcast data for an event stream.
  void Push(std::string data);
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void Read();
  void OnRead(beast::error_code ec);
  void Respond(serve::HttpResponse response, bool keep_alive, bool head_only, bool http_1_0);
  void Fail(int status, const std::string& reason) {
    Respond(serve::ErrorResponse(status, reason), false, false, false);
  }
  void OpenStream(serve::HttpResponse response);
  void DropInput();
  void WriteNext();
  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  BeastTransport* owner_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  serve::HttpResponse response_;  // the answer being written
  std::string head_;
  int served_ = 0;
  bool closed_ = false;
  bool streaming_ = false;
  std::deque<std::string> out_;
  size_t backlog_ = 0;
  bool writing_ = false;
  char sink_[256];
};

class BeastTransport final : public Transport {
 public:
  ~BeastTransport() override {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  Status Start(serve::HttpHandler handler, const serve::HttpServerOptions& options) override {
    handler_ = std::move(handler);
    options_ = options;
    beast::error_code ec;
    tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("beast: cannot listen: " + ec.message());
    Accept();
    for (int i = 0; i < std::max(1, options_.workers); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::Ok();
  }
  int port() const override { return acceptor_.local_endpoint().port(); }
  void Broadcast(std::string data) override {
    std::lock_guard lock(mu_);
    std::erase_if(streams_, [](const auto& w) { return w.expired(); });
    for (auto& weak : streams_) {
      if (auto s = weak.lock()) {
        asio::post(s->executor(), [s, data] { s->Push(data); });
      }
    }
  }

  bool AddStream(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu_);
    std::erase_if(streams_, [](const auto& w) { return w.expired(); });
    if (streams_.size() >= options_.max_event_streams) return false;
    streams_.push_back(s);
    return true;
  }

  serve::HttpHandler handler_;
  serve::HttpServerOptions options_;
  std::atomic<size_t> open_{0};

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        if (open_.load() >= options_.max_connections) {
          s.close(ec);  // no eviction in this adapter: the newest goes
        } else {
          open_.fetch_add(1);
          std::make_shared<Session>(std::move(s), this)->Run();
        }
      }
      Accept();
    });
  }

  asio::io_context ioc_{4};
  tcp::acceptor acceptor_{ioc_};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Session>> streams_;
};

Session::Session(tcp::socket socket, BeastTransport* owner)
    : stream_(std::move(socket)), owner_(owner) {}

Session::~Session() { owner_->open_.fetch_sub(1); }

void Session::Read() {
  const auto& o = owner_->options_;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(o.max_head_bytes));
  parser_->body_limit(o.max_body_bytes);
  // One deadline for the whole request, as today's request_timeout (Beast has no separate idle
  // deadline before the first byte).
  stream_.expires_after(o.request_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
}

void Session::OnRead(beast::error_code ec) {
  if (ec) {
    if (ec == http::error::body_limit) return Fail(413, "the request body is too large");
    if (ec == http::error::header_limit) return Fail(431, "the request head is too large");
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec.category() == asio::error::get_system_category() ||
        ec.category() == asio::error::get_misc_category()) {
      return Close();  // gone, or timed out (the stream is closed already)
    }
    return Fail(400, "malformed request: " + ec.message());
  }
  auto& m = parser_->get();
  serve::HttpRequest req;
  req.method = std::string(m.method_string());
  req.minor_version = m.version() % 10;
  if (!FillTarget(std::string(m.target()), req)) return Fail(400, "bad escape in the target");
  for (const auto& field : m) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(m.body());
  req.content_length = req.body.size();
  const bool keep = m.keep_alive() && ++served_ < owner_->options_.max_requests_per_connection;
  const bool head_only = req.method == "HEAD";
  serve::HttpResponse res;
  try {
    res = owner_->handler_(req);
  } catch (const std::exception& e) {
    res = serve::ErrorResponse(500, e.what());
  }
  if (res.event_stream && !head_only) return OpenStream(std::move(res));
  Respond(std::move(res), keep, head_only, m.version() == 10);
}

void Session::Respond(serve::HttpResponse response, bool keep_alive, bool head_only,
                      bool http_1_0) {
  response_ = std::move(response);
  std::string_view body = response_.Body();
  head_ = serve::ResponseHead(response_, static_cast<long long>(body.size()), !keep_alive,
                              keep_alive && http_1_0, owner_->options_.common_headers);
  if (head_only) body = {};
  stream_.expires_after(owner_->options_.write_timeout);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                            asio::buffer(body.data(), body.size())};
  asio::async_write(stream_, buffers,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                      if (ec || !keep_alive) return self->Close();
                      self->Read();
                    });
}

void Session::OpenStream(serve::HttpResponse response) {
  if (!owner_->AddStream(shared_from_this())) {
    return Fail(503, "too many live streams open; try again later");
  }
  streaming_ = true;
  stream_.expires_never();
  Push(serve::ResponseHead(response, -1, true, false, owner_->options_.common_headers) +
       (response.greeting ? response.greeting() : std::string()));
  DropInput();
}

void Session::DropInput() {
  // An event stream's client has nothing to say: its bytes are dropped, its close ends it.
  stream_.socket().async_read_some(asio::buffer(sink_),
                                   [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (ec) return self->Close();
                                     self->DropInput();
                                   });
}

void Session::Push(std::string data) {
  if (closed_) return;
  if (backlog_ + data.size() > owner_->options_.max_stream_backlog) return Close();
  backlog_ += data.size();
  out_.push_back(std::move(data));
  if (!writing_) WriteNext();
}

void Session::WriteNext() {
  if (out_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(stream_.socket(), asio::buffer(out_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->backlog_ -= self->out_.front().size();
                      self->out_.pop_front();
                      if (ec) return self->Close();
                      self->WriteNext();
                    });
}

}  // namespace

std::unique_ptr<Transport> MakeBeastTransport() { return std::make_unique<BeastTransport>(); }

}  // namespace shopstream::bench
