// Stratum codec on arbitrary bytes, every dialect: the bytes go through LineSplitter (split at a
// point chosen by the first byte, so lines cross chunk boundaries) and each line through
// DecodeLine. Any decoded message must encode, and the encoding must decode to the same kind,
// dialect and body. Classify and LooksLikeStratum must not crash.
#include <cstdint>
#include <string_view>

#include "proto/stratum/stratum_codec.h"

namespace {

void CheckRoundTrip(const mw::stratum::Message& m) {
  using namespace mw::stratum;
  (void)Classify(m);
  auto encoded = Encode(m);
  if (!encoded.ok()) __builtin_trap();  // a decoded message is always representable
  if (encoded->empty() || encoded->back() != '\n') __builtin_trap();
  if (encoded->find('\n') != encoded->size() - 1) __builtin_trap();
  auto again = DecodeLine(*encoded);
  if (!again.ok()) __builtin_trap();
  if (again->kind != m.kind || again->dialect != m.dialect) __builtin_trap();
  if (!(again->body == m.body)) __builtin_trap();
  if (again->id != m.id) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mw::stratum;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)LooksLikeStratum(mw::AsBytes(text));

  // The whole input as one line.
  if (auto m = DecodeLine(text); m.ok()) CheckRoundTrip(*m);

  // The input as a stream in two chunks.
  LineSplitter splitter(1024);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  splitter.Append(text.substr(0, cut));
  for (int pass = 0; pass < 2; ++pass) {
    while (auto line = splitter.Next()) {
      if (!line->ok()) continue;
      if (line->value().size() > 1024 || line->value().find('\n') != std::string::npos) {
        __builtin_trap();
      }
      if (auto m = DecodeLine(line->value()); m.ok()) CheckRoundTrip(*m);
    }
    if (pass == 0) splitter.Append(text.substr(cut));
  }
  return 0;
}
