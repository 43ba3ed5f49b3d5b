// A self-signed TLS certificate for the pool's TLS listener when none is given (OpenSSL).
// Pure function of fresh randomness; thread-safe.
#pragma once

#include <string>

#include "core/status.h"

namespace mw::pool {

struct PemPair {
  std::string certificate;  // PEM "CERTIFICATE"
  std::string private_key;  // PEM "PRIVATE KEY" (PKCS#8)
};

// An EC P-256 key and an X.509 v3 certificate for `common_name` (also a DNS/IP subjectAltName
// when it looks like one), valid from now for `days`.
Result<PemPair> MakeSelfSignedCertificate(const std::string& common_name, int days = 365);

}  // namespace mw::pool
