// Today's server: serve/http_server.h as `shopstream serve` runs it.
#include "http_servers/transport.h"

namespace shopstream::bench {
namespace {

class OurTransport final : public Transport {
 public:
  Status Start(serve::HttpHandler handler, const serve::HttpServerOptions& options) override {
    return server_.Start("127.0.0.1", 0, std::move(handler), options);
  }
  int port() const override { return server_.port(); }
  void Broadcast(std::string data) override { server_.Broadcast(std::move(data)); }

 private:
  serve::HttpServer server_;
};

}  // namespace

std::unique_ptr<Transport> MakeOurTransport() { return std::make_unique<OurTransport>(); }

bool FillTarget(const std::string& target, serve::HttpRequest& request) {
  request.target = target;
  const size_t q = target.find('?');
  auto path = serve::PercentDecode(target.substr(0, q), false);
  if (!path) return false;
  request.path = std::move(*path);
  if (q == std::string::npos) return true;
  auto query = serve::ParseQuery(std::string_view(target).substr(q + 1));
  if (!query) return false;
  request.query = std::move(*query);
  return true;
}

}  // namespace shopstream::bench
