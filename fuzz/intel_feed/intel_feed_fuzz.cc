// Threat-intel feed parsers, the snapshot builder and the snapshot loader on arbitrary input.
// The first byte picks the parser (or, for 0xFF, feeds the rest to the loader as a snapshot
// file with the checksum check off, so mutations reach the structural checks). Invariants: no
// crash, a built snapshot always loads, every entry of a parsed feed is found again, and
// MatchBatch agrees with Match on every query.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/feed_parser.h"
#include "intel/normalize.h"
#include "intel/snapshot.h"
#include "intel/snapshot_builder.h"
#include "intel/url_pattern.h"

namespace {

void Query(const mw::intel::Snapshot& snap, std::string_view text) {
  mw::intel::MatchResult m;
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (int i = 0; i < 8 && start < text.size(); ++i) {
    size_t nl = text.find('\n', start);
    std::string_view q = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(q);
    (void)snap.Match(q, &m, 3333);
    (void)snap.Explain(m);
    if (auto ip = mw::intel::ParseIp(q)) (void)snap.MatchIp(*ip, 0, &m);
    (void)snap.MatchUrl(q, &m);
  }
  // MatchBatch must say exactly what Match says, name by name.
  std::vector<mw::intel::MatchResult> batch(lines.size());
  (void)snap.MatchBatch(lines, batch.data(), 3333);
  for (size_t i = 0; i < lines.size(); ++i) {
    (void)snap.Match(lines[i], &m, 3333);
    if (m.count != batch[i].count || m.suppressed != batch[i].suppressed ||
        m.allowed_by != batch[i].allowed_by ||
        !std::equal(m.entries, m.entries + m.count, batch[i].entries)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 0xFF) {
    auto snap = mw::intel::Snapshot::FromBytes({data + 1, size - 1}, mw::intel::LoadOptions{false, 0});
    if (snap.ok()) {
      Query(*snap, "a.example\n1.2.3.4\nhttp://a.example/x");
      for (size_t i = 0; i < snap->entry_count() && i < 64; ++i) {
        (void)mw::intel::Snapshot::DescribeEntry(snap->Entry(uint32_t(i)));
      }
      for (size_t i = 0; i < snap->skipped_count() && i < 64; ++i) (void)snap->Skipped(i);
      for (size_t i = 0; i < snap->feed_count(); ++i) (void)snap->Feed(i);
    }
    return 0;
  }
  const auto format = static_cast<mw::intel::Format>(data[0] % 8);
  const auto category = static_cast<mw::intel::Category>((data[0] >> 3) % mw::intel::kCategoryCount);
  mw::intel::ParsedFeed feed = mw::intel::ParseFeed(text, {"fuzz", format, category});
  mw::intel::SnapshotBuilder builder;
  std::vector<std::string> names;
  for (const auto& e : feed.entries) {
    if (e.kind == mw::intel::EntryKind::kDomain && e.category != mw::intel::Category::kAllowlist &&
        names.size() < 16) {
      names.push_back(e.host);
    }
  }
  const bool has_allowlist = category == mw::intel::Category::kAllowlist;
  builder.AddFeed(std::move(feed));
  auto bytes = builder.Build();
  if (!bytes.ok()) return 0;
  auto snap = mw::intel::Snapshot::FromBytes(*bytes, mw::intel::LoadOptions{true, 0});  // staged MatchBatch
  if (!snap.ok()) __builtin_trap();  // our own output must always load
  mw::intel::MatchResult m;
  for (const auto& n : names) {
    snap->Match(n, &m);
    if (m.count == 0 && !has_allowlist) __builtin_trap();  // an entry must find itself
  }
  Query(*snap, text);
  const size_t half = text.size() / 2;
  (void)mw::intel::UrlPatternMatches(text.substr(0, half), text.substr(half));
  return 0;
}
