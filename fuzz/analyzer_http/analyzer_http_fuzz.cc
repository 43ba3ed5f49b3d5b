// HTTP/1.x heads, bodies (length, chunked, until close), mining matchers and upgrades on
// arbitrary bytes fed in arbitrary chunks (input layout: chunked_input.h).
#include <cstdint>
#include <string_view>

#include "analyzers/http/http_analyzer.h"
#include "analyzers/http/http_head.h"
#include "analyzers/http/http_mining.h"
#include "common/chunked_input.h"

using namespace mw::analyzers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<http::Header> headers;
  http::RequestHead rq;
  (void)http::ParseRequestHead(text, rq, headers);
  http::ResponseHead rs;
  (void)http::ParseResponseHead(text, rs, headers);
  if (http::FindJsonRpcMethods(text).size() > http::kMaxRpcMethods) __builtin_trap();
  (void)http::MatchMinerUserAgent(text);
  (void)http::MatchWebMinerScript(text);

  http::HttpAnalyzer analyzer;
  auto check = [&] {
    for (const http::HttpEvent& e : analyzer.TakeEvents()) {
      const http::Body& b = std::visit([](const auto& r) -> const http::Body& { return r.body; },
                                       e.what);
      if (b.captured.size() > http::HttpAnalyzer::kMaxBodyCapture) __builtin_trap();
      if (b.captured.size() > b.bytes) __builtin_trap();
    }
  };
  mw_fuzz::ForEachChunk(data, size, [&](bool client, mw::ByteSpan chunk, size_t) {
    analyzer.Feed(client ? Direction::kToServer : Direction::kToClient, chunk);
    check();
  });
  analyzer.Finish();
  check();
  return 0;
}
