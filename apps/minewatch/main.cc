// minewatch: finds cryptojacking, explains it and stops it.
#include "minewatch/commands.h"
#include "version.h"

int main(int argc, char** argv) {
  CLI::App app{"minewatch: cryptojacking detection and response (network sensor, endpoint agent, "
               "web scanner, center)",
               "minewatch"};
  app.set_version_flag("--version", std::string("minewatch ") + MW_VERSION);
  app.require_subcommand(0, 1);
  mw::cli::Action action;
  mw::minewatch::AddSelftestCommand(app, action);
  mw::minewatch::AddSensorCommand(app, action);
  mw::minewatch::AddIntelCommand(app, action);
  return mw::cli::RunApp(app, action, argc, argv);
}
