// Internal to the stratum codec's decoder: typed, size-checked reads of nlohmann JSON values and
// the per-dialect decoders. Every helper checks the value's type before reading it, so nothing
// here throws. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/stratum/stratum_codec.h"

namespace mw::stratum::detail {

using Json = nlohmann::ordered_json;

Status Bad(std::string what);  // InvalidArgument: bad params
const Json* Find(const Json& obj, std::string_view key);  // nullptr when absent or not an object
const Json* At(const Json& arr, size_t i);                // nullptr when out of range
Result<std::string> Str(const Json* j, std::string_view what, size_t max_chars);
// "" when absent or null.
Result<std::string> OptStr(const Json& obj, std::string_view key, size_t max_chars);
// Hex of min..max digits (even count when `even`).
Result<std::string> Hex(const Json* j, std::string_view what, size_t min_digits,
                        size_t max_digits, bool even = true);
Result<std::string> HexExact(const Json* j, std::string_view what, size_t digits);
// "0x" followed by min..max hex digits.
Result<std::string> Hex0x(const Json* j, std::string_view what, size_t min_digits,
                          size_t max_digits);
Result<int64_t> Int(const Json* j, std::string_view what, int64_t lo, int64_t hi);
Result<double> PositiveNumber(const Json* j, std::string_view what);  // finite, > 0
Result<uint32_t> U32Hex(const Json* j, std::string_view what);        // 8 hex, big-endian
// The params array with min..max entries (absent counts as []); the params object.
Result<const Json*> Params(const Json& obj, size_t min, size_t max);
Result<const Json*> ParamsObject(const Json& obj);
Result<std::vector<std::string>> StrList(const Json* j, std::string_view what, size_t max_items,
                                         size_t max_chars);
Result<RpcId> ParseId(const Json& obj);
Result<MinerJob> ParseMinerJob(const Json& obj);         // XMRig / Coinhive / webminerpool job
Result<ShareSolution> ParseSolution(const Json& obj);    // job_id, nonce, result

struct Decoded {
  Kind kind;
  Dialect dialect;
  Body body;
};

// Per-dialect decoders. NotFound = unknown method / shape; any other failure = bad params.
Result<Decoded> DecodeMining(const Json& obj, std::string_view method);  // mining.*, client.*
Result<Decoded> DecodeXmrig(const Json& obj, std::string_view method);
Result<Decoded> DecodeEthProxy(const Json& obj, std::string_view method);
Result<Decoded> DecodeReply(const Json& obj, bool jsonrpc2);  // no method: recognised by shape
Result<Decoded> DecodeCoinhive(const Json& obj, std::string_view type);
Result<Decoded> DecodeWebminerpool(const Json& obj, std::string_view identifier);

}  // namespace mw::stratum::detail
