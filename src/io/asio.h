// The one way code in io/ and lab/ includes standalone Asio.
//
// g++ 12 reports -Wnull-dereference false positives inside Asio's scheduler after it inlines
// completion handlers; the warning is issued late (after optimisation), so it can only be
// silenced for the whole translation unit. Include this only from .cc files, never from
// public headers, so the exception stays local to the code that uses Asio.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <asio.hpp>
