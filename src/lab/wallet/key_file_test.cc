#include "lab/wallet/key_file.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "lab/wallet/wallet.h"

namespace mw::lab::wallet {
namespace {

std::string TempPath(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mw_wallet_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::filesystem::remove(p);
  return p.string();
}

TEST(KeyFileTest, CreatesMode0600AndLoadsTheSameKey) {
  const std::string path = TempPath("a.key");
  auto created = CreateKeyFile(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto loaded = LoadKeyFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->address(), created->address());
}

TEST(KeyFileTest, NeverOverwrites) {
  const std::string path = TempPath("b.key");
  ASSERT_TRUE(CreateKeyFile(path).ok());
  auto again = CreateKeyFile(path);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST(KeyFileTest, RefusesGroupOrWorldReadableFiles) {
  const std::string path = TempPath("c.key");
  ASSERT_TRUE(CreateKeyFile(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = LoadKeyFile(path);
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded.status().message().find("0644"), std::string::npos);
}

TEST(KeyFileTest, RefusesGarbageAndMismatchedAddress) {
  const std::string path = TempPath("d.key");
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("{\"secret\": \"zz\"}", f);
    std::fclose(f);
  }
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(LoadKeyFile(path).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(LoadKeyFile(TempPath("missing.key")).status().code(), StatusCode::kNotFound);
}

TEST(AmountTest, ParsesAndFormatsCoins) {
  EXPECT_EQ(ParseAmount("5").value_or(0), 5 * kUnitsPerCoin);
  EXPECT_EQ(ParseAmount("5.25").value_or(0), 525'000'000u);
  EXPECT_EQ(ParseAmount("0.00000001").value_or(0), 1u);
  EXPECT_EQ(ParseAmount(".5").value_or(0), 50'000'000u);
  EXPECT_FALSE(ParseAmount("1.000000001").ok());
  EXPECT_FALSE(ParseAmount("-1").ok());
  EXPECT_FALSE(ParseAmount("1e5").ok());
  EXPECT_FALSE(ParseAmount("1.2.3").ok());
  EXPECT_FALSE(ParseAmount("").ok());
  EXPECT_EQ(FormatAmount(525'000'000), "5.25000000");
  EXPECT_EQ(FormatAmount(1), "0.00000001");
}

}  // namespace
}  // namespace mw::lab::wallet
