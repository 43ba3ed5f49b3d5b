// Each minelab subcommand registers itself on the app; main.cc calls every Add*Command.
#pragma once

#include "common/cli_main.h"

namespace mw::minelab {

void AddHashCommand(CLI::App& app, cli::Action& action);
void AddDemoCommand(CLI::App& app, cli::Action& action);
void AddNodeCommand(CLI::App& app, cli::Action& action);
void AddWalletCommand(CLI::App& app, cli::Action& action);
void AddMinerCommand(CLI::App& app, cli::Action& action);
void AddPoolCommand(CLI::App& app, cli::Action& action);

}  // namespace mw::minelab
