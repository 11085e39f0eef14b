#pragma once
// The web console's static files, compiled into the server (host/web/CMakeLists.txt generates
// their table from host/web/assets/ and the npm-installed uPlot), so the console serves every
// byte itself and nothing loads from the internet at run time.
#include <span>
#include <string_view>

namespace gm::web {

struct WebAsset {
  std::string_view path;          // "/index.html", "/vendor/uPlot.iife.min.js"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
  std::string_view etag;  // a hash of body, quoted: "\"3f2a...\""
};

// The asset served at path (exactly, no query string), or nullptr.
const WebAsset* find_web_asset(std::string_view path);

// Every asset, sorted by path.
std::span<const WebAsset> web_assets();

}  // namespace gm::web
