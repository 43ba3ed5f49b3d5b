// minelab: the mining ecosystem minewatch is tested against (node, wallet, pool, miners, demo).
// A separate binary: minewatch never links mining code.
#include "minelab/commands.h"
#include "version.h"

int main(int argc, char** argv) {
  CLI::App app{"minelab: a real mining ecosystem on loopback (node, wallet, pool, miners) for "
               "testing minewatch",
               "minelab"};
  app.set_version_flag("--version", std::string("minelab ") + MW_VERSION);
  app.require_subcommand(0, 1);
  mw::cli::Action action;
  mw::minelab::AddHashCommand(app, action);
  mw::minelab::AddDemoCommand(app, action);
  mw::minelab::AddNodeCommand(app, action);
  mw::minelab::AddWalletCommand(app, action);
  mw::minelab::AddMinerCommand(app, action);
  mw::minelab::AddPoolCommand(app, action);
  return mw::cli::RunApp(app, action, argc, argv);
}
