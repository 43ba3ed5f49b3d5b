#include "detectors/crypto_p2p/crypto_p2p_detector.h"

#include <cstring>

namespace mw::detectors {
namespace {

struct Magic {
  const char* bytes;
  const char* network;
};

// Bitcoin message start bytes, then a 12-byte command ("version" first on a new connection).
constexpr Magic kBitcoinMagics[] = {
    {"\xf9\xbe\xb4\xd9", "Bitcoin mainnet"},
    {"\x0b\x11\x09\x07", "Bitcoin testnet3"},
    {"\xfa\xbf\xb5\xda", "Bitcoin regtest"},
    {"\x0a\x03\xcf\x40", "Bitcoin signet"},
};

// Monero Levin header: signature 0x0101010101012101 (little-endian on the wire).
constexpr char kLevinSignature[] = "\x01\x21\x01\x01\x01\x01\x01\x01";

bool StartsWith(std::string_view s, const char* prefix, size_t n) {
  return s.size() >= n && std::memcmp(s.data(), prefix, n) == 0;
}

}  // namespace

void CryptoP2pDetector::Inspect(const FlowRecord& flow, std::vector<Finding>& out) {
  if (flow.ip_proto != 6) return;
  if (flow.Alerted(sid::kBitcoinP2p) || flow.Alerted(sid::kMoneroP2p)) return;  // one per flow
  for (int dir = 0; dir < 2; ++dir) {
    const std::string_view h = flow.head[dir].view();
    for (const Magic& m : kBitcoinMagics) {
      if (StartsWith(h, m.bytes, 4) && h.size() >= 16) {
        std::string command(h.data() + 4, 12);
        command.resize(std::strlen(command.c_str()));
        Finding f;
        f.signature_id = sid::kBitcoinP2p;
        f.signature = std::string("MINEWATCH ") + m.network + " peer-to-peer traffic (full node)";
        f.category = std::string(events::kCategoryCurrency);
        f.severity = 3;
        f.confidence = 0.9;
        f.dialect = "bitcoin-p2p";
        f.evidence.push_back(std::string(m.network) + " message start, first command \"" + command + "\"");
        out.push_back(std::move(f));
        return;
      }
    }
    if (StartsWith(h, kLevinSignature, 8)) {
      Finding f;
      f.signature_id = sid::kMoneroP2p;
      f.signature = "MINEWATCH Monero peer-to-peer traffic (Levin protocol, full node)";
      f.category = std::string(events::kCategoryCurrency);
      f.severity = 3;
      f.confidence = 0.9;
      f.dialect = "monero-levin";
      f.evidence.push_back("Levin signature 0x0101010101012101");
      out.push_back(std::move(f));
      return;
    }
  }
}

}  // namespace mw::detectors
