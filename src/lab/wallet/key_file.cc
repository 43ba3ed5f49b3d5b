#include "lab/wallet/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace mw::lab::wallet {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

std::string Errno() { return std::strerror(errno); }

}  // namespace

Result<chain::KeyPair> CreateKeyFile(const std::string& path) {
  MW_ASSIGN_OR_RETURN(chain::KeyPair key, chain::KeyPair::Generate());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(path + " already exists; not overwriting");
    return Status::IoError("cannot create " + path + ": " + Errno());
  }
  // The umask can only remove bits; make sure it is exactly 0600.
  ::fchmod(fd, 0600);
  nlohmann::json doc = {{"version", 1}, {"address", key.address()}, {"secret", key.SecretHex()}};
  const std::string text = doc.dump(2) + "\n";
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = Errno();
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IoError("cannot write " + path + ": " + why);
    }
    written += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::IoError("cannot finish writing " + path + ": " + Errno());
  }
  return key;
}

Result<chain::KeyPair> LoadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::NotFound("no wallet at " + path + " (create one with `minelab wallet new`)");
    }
    return Status::IoError("cannot open " + path + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError(path + " is not a regular file");
  }
  if (st.st_mode & 077) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", unsigned(st.st_mode & 07777));
    return Status::FailedPrecondition(path + " has mode " + mode +
                                      "; a key file must not be accessible to group or others "
                                      "(chmod 600 " + path + ")");
  }
  if (st.st_size > off_t(kMaxKeyFileBytes)) {
    ::close(fd);
    return Status::Corruption(path + " is too large to be a key file");
  }
  std::string text(size_t(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  ::close(fd);
  text.resize(got);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("secret") ||
      !doc["secret"].is_string()) {
    return Status::Corruption(path + " is not a wallet key file");
  }
  auto key = chain::KeyPair::FromSecretHex(doc["secret"].get<std::string>());
  if (!key.ok()) return Status::Corruption(path + ": bad secret key: " + key.status().message());
  if (doc.contains("address") &&
      (!doc["address"].is_string() || doc["address"].get<std::string>() != key->address())) {
    return Status::Corruption(path + ": the address does not belong to the secret key");
  }
  return *key;
}

}  // namespace mw::lab::wallet
