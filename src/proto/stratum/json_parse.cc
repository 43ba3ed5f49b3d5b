#include "proto/stratum/json_parse.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace mw::stratum {
namespace {

using Json = nlohmann::ordered_json;

class Parser {
 public:
  Parser(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}

  bool Parse(Json& out) {
    if (p_ < end_ && *p_ == 0xEF) {  // a UTF-8 BOM, which nlohmann skips (only whole)
      if (end_ - p_ < 3 || p_[1] != 0xBB || p_[2] != 0xBF) return false;
      p_ += 3;
    }
    std::vector<Json*> open;  // the arrays and objects being filled, innermost last
    Json* slot = &out;        // where the next value goes
    while (true) {
      SkipSpace();
      if (p_ == end_) return false;
      // One value into *slot; a container opens instead, and its first slot is next.
      switch (*p_) {
        case '{':
          ++p_;
          *slot = Json::object();
          SkipSpace();
          if (p_ < end_ && *p_ == '}') {
            ++p_;
            break;
          }
          // Room for a Stratum object's keys (usually 3-7) and params (2-5) at once, instead of
          // the vector growing by doubling from one.
          slot->get_ref<Json::object_t&>().reserve(8);
          open.push_back(slot);
          if (!NextKey(*slot, slot)) return false;
          continue;
        case '[':
          ++p_;
          *slot = Json::array();
          SkipSpace();
          if (p_ < end_ && *p_ == ']') {
            ++p_;
            break;
          }
          slot->get_ref<Json::array_t&>().reserve(4);
          open.push_back(slot);
          slot = &slot->get_ref<Json::array_t&>().emplace_back();
          continue;
        case '"': {
          std::string s;
          if (!String(s)) return false;
          *slot = std::move(s);
          break;
        }
        case 't':
          if (!Literal("true")) return false;
          *slot = true;
          break;
        case 'f':
          if (!Literal("false")) return false;
          *slot = false;
          break;
        case 'n':
          if (!Literal("null")) return false;
          *slot = nullptr;
          break;
        default:
          if (!Number(*slot)) return false;
          break;
      }
      // After a value: the next slot of the innermost container, or close it (and maybe more).
      while (true) {
        SkipSpace();
        // nlohmann's lexer takes a NUL byte where a token may start for the end of the input.
        if (open.empty()) return p_ == end_ || *p_ == '\0';
        if (p_ == end_) return false;
        Json& c = *open.back();
        const char close = c.is_array() ? ']' : '}';
        if (*p_ == close) {
          ++p_;
          open.pop_back();
          continue;
        }
        if (*p_ != ',') return false;
        ++p_;
        if (c.is_array()) {
          slot = &c.get_ref<Json::array_t&>().emplace_back();
        } else {
          SkipSpace();
          if (!NextKey(c, slot)) return false;
        }
        break;
      }
    }
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // `"key" :` at p_; `slot` becomes the key's value in `object` (a repeated key keeps its first
  // place and takes the new value, as nlohmann's operator[] does).
  bool NextKey(Json& object, Json*& slot) {
    if (p_ == end_ || *p_ != '"') return false;
    std::string key;
    if (!String(key)) return false;
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    slot = &object[std::move(key)];
    return true;
  }

  bool Literal(const char* word) {
    const size_t n = std::strlen(word);
    if (size_t(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // A string at p_ (on its opening quote): escapes decoded, UTF-8 checked as RFC 3629 defines
  // it (no overlongs, no surrogates, nothing past U+10FFFF), no raw control characters.
  bool String(std::string& out) {
    ++p_;
    while (true) {
      const unsigned char* run = p_;
      while (p_ < end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
      out.append(reinterpret_cast<const char*>(run), size_t(p_ - run));
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!Escape(out)) return false;
        continue;
      }
      const size_t n = Utf8Length(p_);
      if (n == 0) return false;
      out.append(reinterpret_cast<const char*>(p_), n);
      p_ += n;
    }
  }

  // Bytes of the well-formed UTF-8 sequence starting at p (a byte >= 0x80), 0 if there is none.
  size_t Utf8Length(const unsigned char* p) const {
    const size_t left = size_t(end_ - p);
    auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
      return i < left && p[i] >= lo && p[i] <= hi;
    };
    const unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    }
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) {
      return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    }
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  // A backslash escape at p_, appended as UTF-8.
  bool Escape(std::string& out) {
    if (end_ - p_ < 2) return false;
    const unsigned char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    int cp = Hex4();
    if (cp < 0) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {               // a high one: its low one must follow
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      const int low = Hex4();
      if (low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, uint32_t(cp));
    return true;
  }

  // Four hex digits at p_ (consumed), -1 if they are not.
  int Hex4() {
    if (end_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = p_[i];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return -1;
      v = v * 16 + d;
    }
    p_ += 4;
    return v;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  static bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

  // A number at p_ in JSON's grammar. Integers that fit are unsigned (no sign) or signed (with
  // one); everything else is a double, and one that overflows is an error (as in nlohmann).
  bool Number(Json& out) {
    const unsigned char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    const size_t len = size_t(p_ - start);
    // A short number is converted from a stack copy (the C conversions need a terminator).
    char small[64];
    std::string big;
    const char* text;
    if (len < sizeof small) {
      std::memcpy(small, start, len);
      small[len] = '\0';
      text = small;
    } else {
      big.assign(reinterpret_cast<const char*>(start), len);
      text = big.c_str();
    }
    if (integer) {
      errno = 0;
      if (negative) {
        const long long v = std::strtoll(text, nullptr, 10);
        if (errno == 0) {
          out = int64_t(v);
          return true;
        }
      } else {
        const unsigned long long v = std::strtoull(text, nullptr, 10);
        if (errno == 0) {
          out = uint64_t(v);
          return true;
        }
      }
    }
    const double d = std::strtod(text, nullptr);
    if (!std::isfinite(d)) return false;
    out = d;
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

}  // namespace

bool ParseJson(std::string_view text, nlohmann::ordered_json& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  Parser parser(p, p + text.size());
  return parser.Parse(out);
}

}  // namespace mw::stratum
