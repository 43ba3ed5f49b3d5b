// JsonNestsDeeperThan: a guard for JSON text from outside, run before it is parsed. The JSON
// library parses without recursion but copies, compares and prints values recursively, so a
// text of nested brackets that fits any sane size limit (a megabyte is half a million levels)
// would overflow the stack later, far from where it came in. Callers refuse such text with a
// clear error instead.
#pragma once

#include <cstddef>
#include <string_view>

namespace mw {

// Whether the brackets of `text` ('{' and '['), outside strings, nest deeper than `limit`. Only
// a guard: text that is not JSON is the parser's to refuse, and brackets that do not match are
// not this function's concern.
bool JsonNestsDeeperThan(std::string_view text, size_t limit);

}  // namespace mw
