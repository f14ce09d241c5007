#include "serve/http_response.h"

#include "serve/api_json.h"

namespace shopstream::serve {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string ResponseHead(const HttpResponse& response, long long content_length, bool close,
                         bool keep_alive_1_0,
                         const std::vector<std::pair<std::string, std::string>>& common_headers) {
  std::string head = "HTTP/1.1 ";
  head.append(std::to_string(response.status)).append(" ").append(StatusText(response.status));
  head.append("\r\n");
  // Line ends in a name or value would split the head: they are dropped.
  auto add = [&head](std::string_view name, std::string_view value) {
    for (std::string_view part : {name, std::string_view(": "), value}) {
      for (char c : part) {
        if (c != '\r' && c != '\n') head.push_back(c);
      }
    }
    head.append("\r\n");
  };
  for (const auto& [name, value] : common_headers) add(name, value);
  for (const auto& [name, value] : response.headers) add(name, value);
  if (content_length >= 0) add("Content-Length", std::to_string(content_length));
  if (close) {
    add("Connection", "close");
  } else if (keep_alive_1_0) {
    add("Connection", "keep-alive");
  }
  head.append("\r\n");
  return head;
}

HttpResponse ErrorResponse(int status, std::string_view reason) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json; charset=utf-8");
  r.SetHeader("Cache-Control", "no-store");
  r.body = ErrorJson(std::string(reason));
  return r;
}

}  // namespace shopstream::serve
