#include "host/web/web_assets.h"

#include <algorithm>

namespace gm::web {

// web_assets() is generated (embed_web_assets.cmake) with its table sorted by path.
const WebAsset* find_web_asset(std::string_view path) {
  const auto assets = web_assets();
  const auto it =
      std::lower_bound(assets.begin(), assets.end(), path,
                       [](const WebAsset& a, std::string_view p) { return a.path < p; });
  return it != assets.end() && it->path == path ? &*it : nullptr;
}

}  // namespace gm::web
