// The dashboard page and its scripts, embedded into the binary at build time by
// cmake/embed_files.cmake (web/ and echarts.min.js from web/node_modules), so that the server
// needs no files and no network at run time.
#pragma once

#include <cstddef>
#include <string_view>

namespace shopstream::serve {

struct WebAsset {
  std::string_view path;          // URL path, e.g. "/app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset served at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace shopstream::serve
