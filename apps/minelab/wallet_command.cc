// `minelab wallet --file PATH new|address|balance|send ADDR AMOUNT|history [--node URL]`
#include <cstdio>
#include <iostream>

#include "io/http_client.h"
#include "lab/wallet/key_file.h"
#include "lab/wallet/wallet.h"
#include "minelab/commands.h"
#include "minelab/lab_network.h"

namespace mw::minelab {
namespace {

struct WalletArgs {
  std::string file;
  std::string node = "http://127.0.0.1:18443/";
  std::string to;
  std::string amount;
  std::string fee = "0.0001";
  std::string memo;
  size_t count = 20;
  bool allow_non_loopback = false;
};

constexpr const char* kProg = "minelab wallet";

int Fail(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
      s.code() == StatusCode::kAlreadyExists || s.code() == StatusCode::kFailedPrecondition) {
    return cli::UsageError(kProg, s.message());
  }
  std::cerr << kProg << ": " << s.ToString() << "\n";
  return 3;
}

Result<io::JsonRpcClient> Client(const WalletArgs& a) {
  MW_ASSIGN_OR_RETURN(io::HttpUrl url, io::ParseHttpUrl(a.node));
  MW_RETURN_IF_ERROR(RequireLoopback("--node", url.endpoint.host, a.allow_non_loopback));
  return io::JsonRpcClient(url);
}

int New(const WalletArgs& a) {
  auto key = lab::wallet::CreateKeyFile(a.file);
  if (!key.ok()) return Fail(key.status());
  std::printf("created %s (mode 0600); address %s\n", a.file.c_str(), key->address().c_str());
  return cli::kExitOk;
}

int Address(const WalletArgs& a) {
  auto key = lab::wallet::LoadKeyFile(a.file);
  if (!key.ok()) return Fail(key.status());
  std::printf("address %s\n", key->address().c_str());
  return cli::kExitOk;
}

int Balance(const WalletArgs& a) {
  auto key = lab::wallet::LoadKeyFile(a.file);
  if (!key.ok()) return Fail(key.status());
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto b = lab::wallet::Balance(*client, key->pubkey());
  if (!b.ok()) return Fail(b.status());
  const uint64_t balance = b->value("balance", uint64_t(0));
  const uint64_t immature = b->value("immature", uint64_t(0));
  const uint64_t pending = b->value("pending_spend", uint64_t(0));
  std::printf("address %s\nbalance %s\nimmature %s\npending_spend %s\nheight %llu\n",
              key->address().c_str(), lab::wallet::FormatAmount(balance).c_str(),
              lab::wallet::FormatAmount(immature).c_str(),
              lab::wallet::FormatAmount(pending).c_str(),
              static_cast<unsigned long long>(b->value("height", uint64_t(0))));
  return cli::kExitOk;
}

int Send(const WalletArgs& a) {
  auto key = lab::wallet::LoadKeyFile(a.file);
  if (!key.ok()) return Fail(key.status());
  auto payee = chain::ParseAddress(a.to);
  if (!payee.ok()) return cli::UsageError(kProg, "ADDR: " + payee.status().message());
  auto amount = lab::wallet::ParseAmount(a.amount);
  if (!amount.ok()) return cli::UsageError(kProg, "AMOUNT: " + amount.status().message());
  auto fee = lab::wallet::ParseAmount(a.fee);
  if (!fee.ok()) return cli::UsageError(kProg, "--fee: " + fee.status().message());
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto sent = lab::wallet::Send(*client, *key, *payee, *amount, *fee, a.memo);
  if (!sent.ok()) {
    std::cerr << kProg << ": send refused: " << sent.status().message() << "\n";
    return 3;
  }
  std::printf("sent %s to %s (fee %s, nonce %llu); txid %s\n",
              lab::wallet::FormatAmount(*amount).c_str(), a.to.c_str(),
              lab::wallet::FormatAmount(*fee).c_str(),
              static_cast<unsigned long long>(sent->nonce), sent->txid.c_str());
  return cli::kExitOk;
}

int History(const WalletArgs& a) {
  auto key = lab::wallet::LoadKeyFile(a.file);
  if (!key.ok()) return Fail(key.status());
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto h = lab::wallet::History(*client, key->pubkey(), a.count);
  if (!h.ok()) return Fail(h.status());
  if (!h->is_array()) return Fail(Status::Corruption("listtransactions did not return a list"));
  for (const auto& e : *h) {
    const std::string category = e.value("category", std::string("?"));
    std::printf("%-8s %14s conf %-5llu %s%s%s\n", category.c_str(),
                lab::wallet::FormatAmount(e.value("amount", uint64_t(0))).c_str(),
                static_cast<unsigned long long>(e.value("confirmations", uint64_t(0))),
                e.value("txid", std::string()).c_str(),
                e.contains("counterparty") ? (" " + e.value("counterparty", std::string())).c_str()
                                           : "",
                e.contains("memo") && !e.value("memo", std::string()).empty()
                    ? (" \"" + e.value("memo", std::string()) + "\"").c_str()
                    : "");
  }
  if (h->empty()) std::printf("no transactions\n");
  return cli::kExitOk;
}

}  // namespace

void AddWalletCommand(CLI::App& app, cli::Action& action) {
  CLI::App* cmd = app.add_subcommand("wallet", "A one-key wallet for the lab chain");
  auto args = std::make_shared<WalletArgs>();
  cmd->add_option("--file", args->file, "Key file (created 0600 by `new`)")->required();
  cmd->add_option("--node", args->node, "Node JSON-RPC URL")->capture_default_str();
  AddAllowNonLoopback(cmd, &args->allow_non_loopback);
  cmd->require_subcommand(1);
  cmd->fallthrough();  // --file/--node may also follow the subcommand
  auto add = [&](const char* name, const char* help, int (*fn)(const WalletArgs&)) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    sub->callback([&action, args, fn] { action = [args, fn] { return fn(*args); }; });
    return sub;
  };
  add("new", "Create a key file with a fresh key", New);
  add("address", "Print the wallet's address (last word)", Address);
  add("balance", "Ask the node for the balance", Balance);
  CLI::App* send = add("send", "Pay AMOUNT coins to ADDR", Send);
  send->add_option("ADDR", args->to, "Payee address (ml1...)")->required();
  send->add_option("AMOUNT", args->amount, "Coins, up to 8 decimals")->required();
  send->add_option("--fee", args->fee, "Fee in coins")->capture_default_str();
  send->add_option("--memo", args->memo, "Short note stored in the transaction");
  CLI::App* history = add("history", "List the wallet's transactions", History);
  history->add_option("--count", args->count, "At most this many")->capture_default_str();
}

}  // namespace mw::minelab
