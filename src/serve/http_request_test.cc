#include "serve/http_request.h"

#include <gtest/gtest.h>

#include "serve/gzip.h"

namespace shopstream::serve {
namespace {

std::variant<HttpRequest, HttpError> Parse(std::string_view head, size_t max_body = 4096) {
  EXPECT_EQ(FindHeadEnd(head), head.size()) << head;
  return ParseRequestHead(head, max_body);
}

int ErrorStatus(std::string_view head, size_t max_body = 4096) {
  auto parsed = Parse(head, max_body);
  auto* error = std::get_if<HttpError>(&parsed);
  return error ? error->status : 0;
}

TEST(HttpRequestTest, FindsTheEndOfTheHead) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n"), 0u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 27u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\nHost: a\n\nbody"), 24u);
  EXPECT_EQ(FindHeadEnd(""), 0u);
}

TEST(HttpRequestTest, ParsesARequest) {
  auto parsed = Parse(
      "GET /api/kpis?from=2019-11-08%2008:00&to=2019-11-09+01:00&&flag HTTP/1.1\r\n"
      "Host: 127.0.0.1:8088\r\nAccept-Encoding:  gzip, br \r\nContent-Length: 3\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<HttpRequest>(parsed));
  const HttpRequest& req = std::get<HttpRequest>(parsed);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/api/kpis");
  EXPECT_EQ(req.Param("from"), "2019-11-08 08:00");
  EXPECT_EQ(req.Param("to"), "2019-11-09 01:00");
  EXPECT_TRUE(req.HasParam("flag"));
  EXPECT_FALSE(req.HasParam("limit"));
  EXPECT_EQ(req.Header("accept-encoding"), std::optional<std::string_view>("gzip, br"));
  EXPECT_EQ(req.content_length, 3u);
  EXPECT_TRUE(req.KeepAlive());
}

TEST(HttpRequestTest, KeepAliveFollowsTheVersionAndConnection) {
  auto keep = [](std::string_view head) {
    auto parsed = Parse(head);
    return std::get<HttpRequest>(parsed).KeepAlive();
  };
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n"));
}

TEST(HttpRequestTest, RefusesWithTheRightStatus) {
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\n\r\n"), 400);  // no Host
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("GET / HTTX/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /?a=%4 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                        "Content-Length: 2\r\n\r\n"),
            400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n"), 413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 400000000\r\n\r\n"), 413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\n"
                        "Content-Length: 99999999999999999999999999999999\r\n\r\n"),
            413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n"), 0);
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (size_t i = 0; i < kMaxHeaderCount; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(ErrorStatus(many + "\r\n"), 431);
}

TEST(HttpRequestTest, PercentDecoding) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("%", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%4g", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%00", true), std::string(1, '\0'));
  auto q = ParseQuery("a=1&a=2&b&=3&c=%3D");
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 5u);
  EXPECT_EQ((*q)[1], (std::pair<std::string, std::string>{"a", "2"}));
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"b", ""}));
  EXPECT_EQ((*q)[4], (std::pair<std::string, std::string>{"c", "="}));
}

TEST(HttpRequestTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip(""));
}

}  // namespace
}  // namespace shopstream::serve
