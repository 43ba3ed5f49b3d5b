// Punycode (RFC 3492) and the IDNA step minewatch needs: turning a Unicode label (UTF-8) into its
// "xn--" ASCII form so that feeds and queries written either way meet. Pure functions, no
// allocation on the fixed-buffer forms, thread-safe.
//
// Not implemented: the IDNA2008 mapping and validity tables (NFC, full case folding, disallowed
// code points). NormalizeDomain (normalize.h) lower-cases ASCII and the capitals of Latin-1,
// Greek and Cyrillic, then encodes; exact for names already in their registered (NFC) form.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mw::intel {

// Decodes strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF) into `out`.
// Returns the number of code points, or nullopt when the input is not UTF-8 or does not fit.
std::optional<size_t> DecodeUtf8(std::string_view in, std::span<char32_t> out);

// RFC 3492 encoding of `code_points` (basic code points are copied as given, case kept) into
// `out`, without the "xn--" prefix. Returns the length written, or nullopt on overflow of the
// arithmetic or of `out`.
std::optional<size_t> EncodePunycode(std::span<const char32_t> code_points, std::span<char> out);

// Convenience form for tests and cold paths: punycode of a UTF-8 string.
std::optional<std::string> PunycodeFromUtf8(std::string_view utf8);

}  // namespace mw::intel
