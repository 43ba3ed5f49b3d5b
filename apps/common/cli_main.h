// Shared main() plumbing for minewatch and minelab: CLI11 parsing with our exit-code
// conventions (0 ok, 2 usage or input error with a one-line reason on stderr).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <string>

namespace mw::cli {

// A subcommand stores its action here during parsing; main runs it afterwards.
using Action = std::function<int()>;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

// Prints "PROGRAM: error: MESSAGE" on one line and returns kExitUsage.
inline int UsageError(const std::string& program, const std::string& message) {
  std::cerr << program << ": error: " << message << "\n";
  return kExitUsage;
}

// Parses argv and runs the action chosen. Parse errors print one line and exit 2; --help and
// --version print and exit 0; a missing subcommand prints help and exits 2.
inline int RunApp(CLI::App& app, Action& action, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = e.get_name();
    return UsageError(app.get_name(), what + " (see --help)");
  }
  if (!action) {
    std::cerr << app.help();
    return kExitUsage;
  }
  return action();
}

}  // namespace mw::cli
