// `minewatch intel import|lookup|scan|stats`: compile threat-intel feeds into a snapshot, look
// names and addresses up in it with provenance, check a whole list or log of names at once, and
// show what each feed contributed or skipped.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "intel/feed_parser.h"
#include "intel/snapshot.h"
#include "intel/snapshot_builder.h"
#include "minewatch/commands.h"
#include "minewatch/default_intel.h"

namespace mw::minewatch {
namespace {

namespace fs = std::filesystem;
using intel::Category;
using intel::Format;

struct ImportOptions {
  std::vector<std::string> feeds;
  std::vector<std::string> allowlists;
  std::string format = "auto";
  std::string category;  // empty: guessed per feed from its path
  std::string out;
  bool quiet = false;
};

struct SnapshotOption {
  std::string path;
};

// "PATH" or "PATH,category=C,format=F,name=N".
struct FeedSpec {
  std::string path;
  intel::FeedSource source;
};

Result<FeedSpec> ParseFeedSpec(const std::string& arg, const ImportOptions& o, bool allowlist) {
  FeedSpec spec;
  size_t comma = arg.find(',');
  spec.path = arg.substr(0, comma);
  // Allowlists mix names and CIDRs: the domains format reads both.
  std::string format = allowlist && o.format == "auto" ? "domains" : o.format;
  std::string category = allowlist ? "allowlist" : o.category;
  const fs::path p(spec.path);
  spec.source.name = p.parent_path().filename().empty()
                         ? p.stem().string()
                         : (p.parent_path().filename() / p.stem()).string();
  while (comma != std::string::npos) {
    const size_t next = arg.find(',', comma + 1);
    const std::string kv = arg.substr(comma + 1, next == std::string::npos ? next : next - comma - 1);
    const size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (key == "category") {
      category = value;
    } else if (key == "format") {
      format = value;
    } else if (key == "name" && !value.empty()) {
      spec.source.name = value;
    } else {
      return Status::InvalidArgument("feed option '" + kv + "' (use category=, format=, name=)");
    }
    comma = next;
  }
  auto f = intel::ParseFormat(format);
  if (!f) return Status::InvalidArgument("unknown format '" + format + "'");
  spec.source.format = *f;
  if (category.empty()) {
    spec.source.category = intel::GuessCategory(spec.path);
  } else {
    auto c = intel::ParseCategory(category);
    if (!c) return Status::InvalidArgument("unknown category '" + category + "'");
    spec.source.category = *c;
  }
  return spec;
}

std::string SkipSummary(const uint32_t (&skipped)[intel::kSkipReasonCount]) {
  std::string s;
  for (int k = 0; k < intel::kSkipReasonCount; ++k) {
    if (skipped[k] == 0) continue;
    if (!s.empty()) s += ", ";
    s += std::to_string(skipped[k]);
    s += ' ';
    s += intel::SkipReasonName(static_cast<intel::SkipReason>(k));
  }
  return s.empty() ? "none" : s;
}

int RunImport(const ImportOptions& o) {
  const std::string cmd = "minewatch intel import";
  if (o.feeds.empty() && o.allowlists.empty()) return cli::UsageError(cmd, "no FEED given");
  intel::SnapshotBuilder builder;
  std::vector<std::pair<std::string, bool>> all;
  for (const auto& f : o.feeds) all.emplace_back(f, false);
  for (const auto& f : o.allowlists) all.emplace_back(f, true);
  std::vector<std::vector<intel::SkippedLine>> malformed;  // per feed, shown after the summary
  for (const auto& [arg, allow] : all) {
    auto spec = ParseFeedSpec(arg, o, allow);
    if (!spec.ok()) return cli::UsageError(cmd, spec.status().message());
    auto text = Env::Default()->ReadFile(spec->path);
    if (!text.ok()) return cli::UsageError(cmd, "cannot read feed: " + text.status().message());
    intel::ParsedFeed feed = intel::ParseFeed(*text, spec->source);
    malformed.emplace_back();
    for (const auto& sk : feed.skipped) {
      if (sk.reason != intel::SkipReason::kMalformed) continue;
      if (malformed.back().size() == 5) break;
      malformed.back().push_back(sk);
    }
    builder.AddFeed(std::move(feed));
  }
  auto bytes = builder.Build();
  if (!bytes.ok()) return cli::UsageError(cmd, bytes.status().message());
  auto check = intel::Snapshot::FromBytes(*bytes);
  if (!check.ok()) return cli::UsageError(cmd, "built snapshot fails its own checks: " + check.status().message());
  if (!o.quiet) {
    // From the built snapshot, so that entries dropped at build time (allowlisted) are counted.
    for (size_t i = 0; i < check->feed_count() && i < malformed.size(); ++i) {
      const intel::FeedInfo f = check->Feed(i);
      std::printf("%-34s %-8s %-22s %6u lines %7u entries, skipped: %s\n", std::string(f.name).c_str(),
                  std::string(intel::FormatName(f.format)).c_str(),
                  std::string(intel::CategoryName(f.category)).c_str(), f.lines, f.entries,
                  SkipSummary(f.skipped).c_str());
      for (const auto& sk : malformed[i]) {
        std::printf("    line %u: malformed (%s): %s\n", sk.line, sk.detail.c_str(), sk.text.c_str());
      }
      if (malformed[i].size() == 5 && f.skipped[int(intel::SkipReason::kMalformed)] > 5) {
        std::printf("    ... (all skipped lines: minewatch intel stats)\n");
      }
    }
  }
  const fs::path out(o.out);
  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  Status w = intel::WriteSnapshotFile(o.out, *bytes);
  if (!w.ok()) return cli::UsageError(cmd, "cannot write " + o.out + ": " + w.message());
  std::printf("wrote %s: %zu bytes, %zu entries (%zu names, %zu address ranges, %zu URL patterns)\n",
              o.out.c_str(), bytes->size(), check->entry_count(), check->domain_entry_count(),
              check->ip_entry_count(), check->pattern_count());
  return cli::kExitOk;
}

Result<intel::Snapshot> OpenSnapshot(const std::string& option) {
  const std::string path = option.empty() ? DefaultIntelPath() : option;
  auto snap = intel::Snapshot::Load(path);
  if (!snap.ok() && snap.status().code() == StatusCode::kIoError && option.empty()) {
    return Status::NotFound(snap.status().message() +
                            " (build it with scripts/build-default-intel or pass --intel FILE)");
  }
  return snap;
}

// A query as an error message quotes it: long ones cut to their start, so the line stays short.
std::string Quoted(const std::string& query) {
  constexpr size_t kMaxQuoted = 80;
  if (query.size() <= kMaxQuoted) return "'" + query + "'";
  return "'" + query.substr(0, kMaxQuoted) + "...' (" + std::to_string(query.size()) + " bytes)";
}

std::string Indent(const std::string& lines) {
  std::string out;
  size_t start = 0;
  while (start < lines.size()) {
    size_t nl = lines.find('\n', start);
    out += "  ";
    out += lines.substr(start, nl == std::string::npos ? nl : nl - start + 1);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

int RunLookup(const std::vector<std::string>& queries, const std::string& intel_path) {
  const std::string cmd = "minewatch intel lookup";
  auto snap = OpenSnapshot(intel_path);
  if (!snap.ok()) return cli::UsageError(cmd, snap.status().message());
  // Check every query first so that bad input fails before any output.
  std::vector<intel::Endpoint> endpoints(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    if (queries[i].find('/') != std::string::npos) continue;  // a URL
    auto ep = intel::ParseEndpoint(queries[i]);
    if (!ep.ok()) return cli::UsageError(cmd, Quoted(queries[i]) + ": " + ep.status().message());
    endpoints[i] = *ep;
  }
  intel::MatchResult m;
  for (size_t i = 0; i < queries.size(); ++i) {
    const std::string& q = queries[i];
    if (q.find('/') != std::string::npos) {
      snap->MatchUrl(q, &m);
    } else if (endpoints[i].ip) {
      snap->MatchIp(*endpoints[i].ip, endpoints[i].port, &m);
    } else {
      snap->Match(endpoints[i].host, &m, endpoints[i].port);
    }
    if (m.hit()) {
      std::printf("%s: match (%u %s)\n", q.c_str(), m.count, m.count == 1 ? "entry" : "entries");
    } else if (m.allowed_by != intel::kNoEntry) {
      std::printf("%s: allowlisted, no match reported\n", q.c_str());
    } else {
      std::printf("%s: no match\n", q.c_str());
      continue;
    }
    std::fputs(Indent(snap->Explain(m)).c_str(), stdout);
  }
  return cli::kExitOk;
}

// `intel scan`: one name or address per line (the line's first word), e.g. a resolver's query
// log cut down to the names. Names go through MatchBatch in groups; a name with a port and an
// address go one at a time. The file is read in blocks, so its size does not matter.
struct ScanOptions {
  std::string input;  // path, or "-" for stdin
  std::string intel_path;
  bool quiet = false;
};

struct ScanCounts {
  uint64_t lines = 0, skipped = 0, names = 0, addresses = 0, matched = 0, allowlisted = 0;
};

class NameScanner {
 public:
  NameScanner(const intel::Snapshot& snap, bool quiet) : snap_(snap), quiet_(quiet) {}

  // One line without its newline; its text must stay valid until Flush().
  void AddLine(std::string_view line) {
    ++counts_.lines;
    size_t b = 0;
    while (b < line.size() && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
    size_t e = b;
    while (e < line.size() && line[e] != ' ' && line[e] != '\t' && line[e] != '\r') ++e;
    const std::string_view word = line.substr(b, e - b);
    if (word.empty() || word[0] == '#') {
      ++counts_.skipped;
      return;
    }
    // WORD, or HOST:PORT (one colon: an IPv6 address has several and no port here).
    std::string_view host = word;
    uint16_t port = 0;
    const size_t colon = word.find(':');
    if (colon != std::string_view::npos && word.rfind(':') == colon) {
      if (auto p = intel::ParsePort(word.substr(colon + 1))) {
        host = word.substr(0, colon);
        port = *p;
      }
    }
    // An address ends in a digit or holds a colon; a name ends in a letter (its top label).
    const char last = host.empty() ? 'x' : host.back();
    const bool maybe_ip = (last >= '0' && last <= '9') || host.find(':') != std::string_view::npos;
    if (auto ip = maybe_ip ? intel::ParseIp(host) : std::nullopt) {
      ++counts_.addresses;
      snap_.MatchIp(*ip, port, &one_);
      Report(word, counts_.lines, one_);
      return;
    }
    ++counts_.names;
    if (port != 0) {  // MatchBatch takes one port for all its names
      snap_.Match(host, &one_, port);
      Report(word, counts_.lines, one_);
      return;
    }
    names_.push_back(word);
    line_of_.push_back(counts_.lines);
    if (names_.size() == kBatch) Flush();
  }

  // Matches the names gathered so far (call before the text they point into changes).
  void Flush() {
    if (names_.empty()) return;
    snap_.MatchBatch(names_, results_.data());
    for (size_t i = 0; i < names_.size(); ++i) Report(names_[i], line_of_[i], results_[i]);
    names_.clear();
    line_of_.clear();
  }

  const ScanCounts& counts() const { return counts_; }

 private:
  static constexpr size_t kBatch = 1024;

  void Report(std::string_view word, uint64_t line, const intel::MatchResult& m) {
    if (m.hit()) {
      ++counts_.matched;
    } else if (m.allowed_by != intel::kNoEntry) {
      ++counts_.allowlisted;
      return;
    } else {
      return;
    }
    if (quiet_) return;
    std::printf("line %llu: %.*s: match (%u %s)\n", static_cast<unsigned long long>(line),
                static_cast<int>(word.size()), word.data(), m.count, m.count == 1 ? "entry" : "entries");
    std::fputs(Indent(snap_.Explain(m)).c_str(), stdout);
  }

  const intel::Snapshot& snap_;
  bool quiet_;
  ScanCounts counts_;
  intel::MatchResult one_;
  std::vector<std::string_view> names_;
  std::vector<uint64_t> line_of_;
  std::vector<intel::MatchResult> results_ = std::vector<intel::MatchResult>(kBatch);
};

int RunScan(const ScanOptions& o) {
  const std::string cmd = "minewatch intel scan";
  auto snap = OpenSnapshot(o.intel_path);
  if (!snap.ok()) return cli::UsageError(cmd, snap.status().message());
  const bool from_stdin = o.input == "-";
  FILE* in = from_stdin ? stdin : std::fopen(o.input.c_str(), "rb");
  if (in == nullptr) return cli::UsageError(cmd, "cannot open " + o.input + ": " + std::strerror(errno));
  const auto t0 = std::chrono::steady_clock::now();
  NameScanner scanner(*snap, o.quiet);
  constexpr size_t kBlock = size_t(1) << 20;
  std::string buf;  // the unfinished last line of the previous block, then the new block
  bool read_error = false;
  // Only a line's first word matters, so a line is kept to kMaxLineBytes and the rest of a
  // longer one is dropped as it arrives (memory stays bounded whatever the input).
  constexpr size_t kMaxLineBytes = 64 * 1024;
  bool dropping = false;  // buf holds the kept start of an overlong line
  uint64_t truncated = 0;
  for (;;) {
    const size_t keep = buf.size();
    buf.resize(keep + kBlock);
    const size_t got = std::fread(buf.data() + keep, 1, kBlock, in);
    buf.resize(keep + got);
    if (got == 0) {
      read_error = std::ferror(in) != 0;
      break;
    }
    if (dropping) {
      const size_t nl = buf.find('\n', keep);
      if (nl == std::string::npos) {
        buf.resize(keep);
        continue;
      }
      buf.erase(keep, nl - keep);
      dropping = false;
    }
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      scanner.AddLine(std::string_view(buf).substr(start, nl - start));
    }
    scanner.Flush();
    buf.erase(0, start);
    if (buf.size() > kMaxLineBytes) {
      buf.resize(kMaxLineBytes);
      dropping = true;
      ++truncated;
    }
  }
  if (!buf.empty()) scanner.AddLine(buf);  // a last line without a newline
  scanner.Flush();
  if (!from_stdin) std::fclose(in);
  std::fflush(stdout);
  if (read_error) return cli::UsageError(cmd, "read error on " + o.input);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const ScanCounts& c = scanner.counts();
  if (truncated > 0) {
    std::fprintf(stderr, "%llu line(s) longer than %zu bytes were cut to their start\n",
                 static_cast<unsigned long long>(truncated), kMaxLineBytes);
  }
  std::fprintf(stderr,
               "scanned %llu lines: %llu names, %llu addresses, %llu skipped (blank or #); "
               "%llu matched, %llu allowlisted; %.3f s (%.2f M lines/s)\n",
               static_cast<unsigned long long>(c.lines), static_cast<unsigned long long>(c.names),
               static_cast<unsigned long long>(c.addresses), static_cast<unsigned long long>(c.skipped),
               static_cast<unsigned long long>(c.matched),
               static_cast<unsigned long long>(c.allowlisted), secs,
               secs > 0 ? double(c.lines) / secs / 1e6 : 0.0);
  return c.matched > 0 ? cli::kExitFindings : cli::kExitOk;
}

int RunStats(const std::string& intel_path, bool all_skipped) {
  const std::string cmd = "minewatch intel stats";
  auto snap = OpenSnapshot(intel_path);
  if (!snap.ok()) return cli::UsageError(cmd, snap.status().message());
  std::printf("snapshot: %zu bytes, %zu entries (%zu names, %zu address ranges, %zu URL patterns)\n",
              snap->file_bytes(), snap->entry_count(), snap->domain_entry_count(),
              snap->ip_entry_count(), snap->pattern_count());
  std::printf("\n%-34s %-8s %-22s %7s %8s  %s\n", "feed", "format", "category", "lines", "entries",
              "skipped");
  for (size_t i = 0; i < snap->feed_count(); ++i) {
    intel::FeedInfo f = snap->Feed(i);
    std::printf("%-34s %-8s %-22s %7u %8u  %s\n", std::string(f.name).c_str(),
                std::string(intel::FormatName(f.format)).c_str(),
                std::string(intel::CategoryName(f.category)).c_str(), f.lines, f.entries,
                SkipSummary(f.skipped).c_str());
  }
  std::array<size_t, intel::kCategoryCount> per_category{};
  for (uint32_t i = 0; i < snap->entry_count(); ++i) {
    ++per_category[static_cast<size_t>(snap->Entry(i).category)];
  }
  std::printf("\nentries per category:\n");
  for (int c = 0; c < intel::kCategoryCount; ++c) {
    std::printf("  %-22s %8zu\n", std::string(intel::CategoryName(static_cast<Category>(c))).c_str(),
                per_category[size_t(c)]);
  }
  size_t listed = 0;
  for (size_t i = 0; i < snap->skipped_count(); ++i) {
    intel::SkippedInfo s = snap->Skipped(i);
    const bool noise = s.reason == intel::SkipReason::kCosmetic || s.reason == intel::SkipReason::kScriptlet;
    if (noise && !all_skipped) continue;
    if (listed++ == 0) {
      std::printf("\nskipped lines%s:\n", all_skipped ? "" : " (cosmetic and scriptlet rules: --all)");
    }
    std::printf("  %s:%u: %s (%s): %s\n", std::string(s.feed).c_str(), s.line,
                std::string(intel::SkipReasonName(s.reason)).c_str(), std::string(s.detail).c_str(),
                std::string(s.text).c_str());
  }
  if (listed == 0) std::printf("\nskipped lines: none listed\n");
  return cli::kExitOk;
}

}  // namespace

void AddIntelCommand(CLI::App& app, cli::Action& action) {
  CLI::App* intel_cmd = app.add_subcommand("intel", "Threat-intel feeds: import, lookup, scan, stats");
  intel_cmd->require_subcommand(1);

  auto imp = std::make_shared<ImportOptions>();
  CLI::App* import_cmd = intel_cmd->add_subcommand(
      "import", "Compile feeds into a snapshot file. FEED is PATH or PATH,category=C,format=F,name=N");
  import_cmd->add_option("FEED", imp->feeds, "Feed files (formats detected unless --format)");
  import_cmd->add_option("--format", imp->format,
                         "auto|hosts|domains|adblock|webext|maltrail|cidr|csv (default auto)");
  import_cmd->add_option("--category", imp->category,
                         "pool|browser-miner|malware-infrastructure|crypto-general (default: from "
                         "the path)");
  import_cmd
      ->add_option("--allowlist", imp->allowlists,
                   "Allowlist file (names and CIDRs), repeatable; it wins over every feed")
      ->allow_extra_args(false);  // one file per --allowlist: later words stay FEEDs
  import_cmd->add_option("--out", imp->out, "Snapshot file to write")->required();
  import_cmd->add_flag("--quiet", imp->quiet, "Print only the summary line");
  import_cmd->callback([&action, imp] { action = [imp] { return RunImport(*imp); }; });

  auto queries = std::make_shared<std::vector<std::string>>();
  auto lookup_path = std::make_shared<std::string>();
  CLI::App* lookup = intel_cmd->add_subcommand(
      "lookup", "Print every entry matching NAME, IP, NAME:PORT, IP:PORT or URL, with provenance");
  lookup->add_option("QUERY", *queries, "Names, addresses or URLs")->required();
  lookup->add_option("--intel", *lookup_path,
                     "Snapshot file (default: $MINEWATCH_INTEL, else rules/intel/default.mwintel "
                     "beside the build's bin/)");
  lookup->callback([&action, queries, lookup_path] {
    action = [queries, lookup_path] { return RunLookup(*queries, *lookup_path); };
  });

  auto scan = std::make_shared<ScanOptions>();
  CLI::App* scan_cmd = intel_cmd->add_subcommand(
      "scan", "Match every line of FILE (its first word: NAME, NAME:PORT or IP) against the "
              "snapshot; exit 1 when something matched, 0 when nothing did");
  scan_cmd->add_option("FILE", scan->input, "Names, one per line (a query log cut to names); - for stdin")
      ->required();
  scan_cmd->add_option("--intel", scan->intel_path, "Snapshot file (default as for lookup)");
  scan_cmd->add_flag("--quiet", scan->quiet, "Print only the summary (on stderr)");
  scan_cmd->callback([&action, scan] { action = [scan] { return RunScan(*scan); }; });

  auto stats_path = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  CLI::App* stats = intel_cmd->add_subcommand(
      "stats", "Counts per feed and category, and the lines each feed skipped");
  stats->add_option("--intel", *stats_path, "Snapshot file (default as for lookup)");
  stats->add_flag("--all", *all, "Also list skipped cosmetic and scriptlet rules");
  stats->callback([&action, stats_path, all] {
    action = [stats_path, all] { return RunStats(*stats_path, *all); };
  });
}

}  // namespace mw::minewatch
