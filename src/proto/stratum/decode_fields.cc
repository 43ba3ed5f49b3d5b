// Typed, size-checked reads of JSON values for the stratum decoder (see decode_fields.h).
#include "proto/stratum/decode_fields.h"

#include <cmath>
#include <limits>

namespace mw::stratum::detail {

Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

Result<std::string> Str(const Json* j, std::string_view what, size_t max_chars) {
  if (j == nullptr || !j->is_string()) return Bad(std::string(what) + " must be a string");
  const auto& s = j->get_ref<const std::string&>();
  if (s.size() > max_chars) {
    return Bad(std::string(what) + " longer than " + std::to_string(max_chars));
  }
  return s;
}

// A string field that may be absent (then empty).
Result<std::string> OptStr(const Json& obj, std::string_view key, size_t max_chars) {
  const Json* j = Find(obj, key);
  if (j == nullptr || j->is_null()) return std::string();
  return Str(j, key, max_chars);
}

// Hex of min..max digits (even count when `even`).
Result<std::string> Hex(const Json* j, std::string_view what, size_t min_digits,
                        size_t max_digits, bool even) {
  MW_ASSIGN_OR_RETURN(std::string s, Str(j, what, max_digits));
  if (s.size() < min_digits) return Bad(std::string(what) + " too short");
  if (even && s.size() % 2 != 0) return Bad(std::string(what) + " has an odd number of digits");
  if (!IsHex(s)) return Bad(std::string(what) + " is not hex");
  return s;
}
Result<std::string> HexExact(const Json* j, std::string_view what, size_t digits) {
  return Hex(j, what, digits, digits);
}
// "0x" followed by min..max hex digits (any count: quantities are not padded).
Result<std::string> Hex0x(const Json* j, std::string_view what, size_t min_digits,
                          size_t max_digits) {
  MW_ASSIGN_OR_RETURN(std::string s, Str(j, what, max_digits + 2));
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return Bad(std::string(what) + " lacks the 0x prefix");
  }
  const std::string_view digits = std::string_view(s).substr(2);
  if (digits.size() < min_digits || !IsHex(digits)) {
    return Bad(std::string(what) + " is not 0x-hex of the expected size");
  }
  return s;
}

Result<int64_t> Int(const Json* j, std::string_view what, int64_t lo, int64_t hi) {
  if (j == nullptr) return Bad(std::string(what) + " missing");
  int64_t v = 0;
  if (j->is_number_unsigned()) {
    const uint64_t u = j->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Bad(std::string(what) + " out of range");
    }
    v = static_cast<int64_t>(u);
  } else if (j->is_number_integer()) {
    v = j->get<int64_t>();
  } else {
    return Bad(std::string(what) + " must be an integer");
  }
  if (v < lo || v > hi) return Bad(std::string(what) + " out of range");
  return v;
}

Result<double> PositiveNumber(const Json* j, std::string_view what) {
  if (j == nullptr || !j->is_number()) return Bad(std::string(what) + " must be a number");
  const double d = j->get<double>();
  if (!std::isfinite(d) || d <= 0) return Bad(std::string(what) + " must be positive");
  return d;
}

Result<uint32_t> U32Hex(const Json* j, std::string_view what) {
  MW_ASSIGN_OR_RETURN(std::string s, HexExact(j, what, 8));
  return static_cast<uint32_t>(std::stoul(s, nullptr, 16));
}

// The params array with min..max entries; absent params count as [].
Result<const Json*> Params(const Json& obj, size_t min, size_t max) {
  static const Json kEmpty = Json::array();
  const Json* p = Find(obj, "params");
  if (p == nullptr || p->is_null()) p = &kEmpty;
  if (!p->is_array()) return Bad("params must be an array");
  if (p->size() < min || p->size() > max) {
    return Bad("expected " + std::to_string(min) + ".." + std::to_string(max) + " params, got " +
               std::to_string(p->size()));
  }
  return p;
}
Result<const Json*> ParamsObject(const Json& obj) {
  const Json* p = Find(obj, "params");
  if (p == nullptr || !p->is_object()) return Bad("params must be an object");
  return p;
}
const Json* At(const Json& arr, size_t i) { return i < arr.size() ? &arr[i] : nullptr; }

Result<std::vector<std::string>> StrList(const Json* j, std::string_view what, size_t max_items,
                                         size_t max_chars) {
  if (j == nullptr || !j->is_array()) return Bad(std::string(what) + " must be an array");
  if (j->size() > max_items) return Bad(std::string(what) + " has too many entries");
  std::vector<std::string> out;
  for (const Json& e : *j) {
    MW_ASSIGN_OR_RETURN(std::string s, Str(&e, what, max_chars));
    out.push_back(std::move(s));
  }
  return out;
}

Result<RpcId> ParseId(const Json& obj) {
  const Json* j = Find(obj, "id");
  if (j == nullptr) return RpcId{};
  if (j->is_null()) return RpcId{nullptr};
  if (j->is_string()) {
    MW_ASSIGN_OR_RETURN(std::string s, Str(j, "id", kMaxNameChars));
    return RpcId{std::move(s)};
  }
  MW_ASSIGN_OR_RETURN(int64_t v, Int(j, "id", std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max()));
  return RpcId{v};
}


// XMRig / Coinhive / webminerpool job fields, read from `obj`.
Result<MinerJob> ParseMinerJob(const Json& obj) {
  MinerJob job;
  MW_ASSIGN_OR_RETURN(job.job_id, Str(Find(obj, "job_id"), "job_id", kMaxJobIdChars));
  MW_ASSIGN_OR_RETURN(job.blob, Hex(Find(obj, "blob"), "blob", kMinBlobHexChars,
                                    kMaxBlobHexChars));
  MW_ASSIGN_OR_RETURN(job.target, Hex(Find(obj, "target"), "target", 8, 16));
  if (job.target.size() != 8 && job.target.size() != 16) return Bad("target must be 8 or 16 hex");
  MW_ASSIGN_OR_RETURN(job.algo, OptStr(obj, "algo", 32));
  if (const Json* h = Find(obj, "height"); h != nullptr && !h->is_null()) {
    MW_ASSIGN_OR_RETURN(int64_t height, Int(h, "height", 0, std::numeric_limits<int64_t>::max()));
    job.height = static_cast<uint64_t>(height);
  }
  if (const Json* s = Find(obj, "seed_hash"); s != nullptr && !s->is_null()) {
    MW_ASSIGN_OR_RETURN(job.seed_hash, HexExact(s, "seed_hash", 64));
  }
  if (const Json* v = Find(obj, "variant"); v != nullptr && !v->is_null()) {
    MW_ASSIGN_OR_RETURN(int64_t variant, Int(v, "variant", -1000000, 1000000));
    job.variant = variant;
  }
  return job;
}

Result<ShareSolution> ParseSolution(const Json& obj) {
  ShareSolution s;
  MW_ASSIGN_OR_RETURN(s.job_id, Str(Find(obj, "job_id"), "job_id", kMaxJobIdChars));
  MW_ASSIGN_OR_RETURN(s.nonce, HexExact(Find(obj, "nonce"), "nonce", 8));
  MW_ASSIGN_OR_RETURN(s.result, HexExact(Find(obj, "result"), "result", 64));
  return s;
}

}  // namespace mw::stratum::detail
