#include "core/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace mw {
namespace {

std::string TempDir() {
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   ("mw_env_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(PosixEnv, ReadFileReturnsWhatWasWritten) {
  const std::string path = TempDir() + "/data.bin";
  std::string bytes(200'000, '\0');  // more than one read(2) buffer, with NULs
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + i / 251);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, bytes, 0644).ok());
  auto read = Env::Default()->ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, bytes);

  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, "", 0644).ok());
  read = Env::Default()->ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
}

// A directory opens but cannot be read: an error with the reason, not an empty file.
TEST(PosixEnv, ReadFileOfADirectoryOrAMissingFileIsAnErrorWithItsReason) {
  const std::string dir = TempDir();
  auto read = Env::Default()->ReadFile(dir);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(dir), std::string::npos) << read.status().message();
  EXPECT_NE(read.status().message().find("Is a directory"), std::string::npos)
      << read.status().message();

  read = Env::Default()->ReadFile(dir + "/missing");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("No such file"), std::string::npos)
      << read.status().message();
}

}  // namespace
}  // namespace mw
