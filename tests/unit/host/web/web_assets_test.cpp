// The web console's embedded files (host/web/web_assets.h): the placeholder page and uPlot
// under /vendor/ are in the binary with their types and ETags; an unknown path is not.
#include "host/web/web_assets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace gm::web {
namespace {

TEST(WebAssets, IndexHtmlIsServedAsUtf8Html) {
  const WebAsset* a = find_web_asset("/index.html");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->content_type, "text/html; charset=utf-8");
  EXPECT_NE(a->body.find("<html"), std::string_view::npos);
}

TEST(WebAssets, UplotIsVendoredFromNpm) {
  const WebAsset* js = find_web_asset("/vendor/uPlot.iife.min.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  // The IIFE build defines the global the console's pages call.
  EXPECT_NE(js->body.find("uPlot"), std::string_view::npos);
  EXPECT_GT(js->body.size(), 10000u);

  const WebAsset* css = find_web_asset("/vendor/uPlot.min.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_NE(css->body.find(".uplot"), std::string_view::npos);
}

TEST(WebAssets, UnknownPathsAreNotFound) {
  EXPECT_EQ(find_web_asset("/nope.html"), nullptr);
  EXPECT_EQ(find_web_asset(""), nullptr);
  EXPECT_EQ(find_web_asset("/"), nullptr);  // the server maps "/" itself
  EXPECT_EQ(find_web_asset("index.html"), nullptr);
  EXPECT_EQ(find_web_asset("/index.html?x=1"), nullptr);
  EXPECT_EQ(find_web_asset("/vendor/"), nullptr);
}

TEST(WebAssets, SortedByPathWithQuotedEtags) {
  const auto all = web_assets();
  EXPECT_GE(all.size(), 3u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const WebAsset& a, const WebAsset& b) { return a.path < b.path; }));
  for (const WebAsset& a : all) {
    SCOPED_TRACE(std::string(a.path));
    EXPECT_EQ(a.path.front(), '/');
    ASSERT_GE(a.etag.size(), 3u);
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.etag.back(), '"');
    EXPECT_EQ(find_web_asset(a.path), &a);
  }
  // Different bodies, different tags.
  EXPECT_NE(find_web_asset("/index.html")->etag, find_web_asset("/vendor/uPlot.min.css")->etag);
}

}  // namespace
}  // namespace gm::web
