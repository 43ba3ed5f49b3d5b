// Each minewatch subcommand registers itself on the app; main.cc calls every Add*Command.
#pragma once

#include "common/cli_main.h"

namespace mw::minewatch {

void AddSelftestCommand(CLI::App& app, cli::Action& action);
void AddSensorCommand(CLI::App& app, cli::Action& action);
void AddIntelCommand(CLI::App& app, cli::Action& action);

}  // namespace mw::minewatch
