// A generator of large, mixed, realistic captures for benchmarks and end-to-end tests:
// interleaved web flows (most HTTPS with a browser-like ClientHello naming the site; the server
// answers in TLS 1.3 (its hello, then an encrypted flight) or, for a share of flows, in TLS 1.2
// with its certificate chain in the clear (a leaf for the site under an intermediate CA), key
// exchange and Finished; then application-data records; the rest plain HTTP/1.1 GETs and
// responses; TCP handshake, ACKs and teardown), DNS queries for the same kind of names with
// their answers over UDP, and a few percent of Stratum V1 mining sessions (subscribe, authorize,
// notify, submit lines on a pool-like port), over IPv4 and IPv6, Ethernet framing. Names are
// under .example and addresses in 198.18.0.0/15 and fd00::/8. Certificates are real X.509 made
// with OpenSSL, with Ed25519 keys from the seed (Ed25519 signs deterministically).
// Deterministic for a given seed. Writes pcap to a FILE* in a streaming way (memory does not
// grow with the capture) or into a memory buffer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace mw::net::testing {

struct MixedCaptureOptions {
  uint32_t flows = 100000;
  double mining_fraction = 0.03;  // share of flows that are Stratum sessions
  double udp_fraction = 0.30;     // share of DNS flows (UDP)
  double ipv6_fraction = 0.20;
  // Of the web flows, the share over TLS (the rest plain HTTP). About 95 % of the requests
  // Cloudflare served in July 2024 were encrypted; plain HTTP here is twice that share's rest.
  double tls_fraction_of_web = 0.90;
  // Of the TLS flows, the share the server answers in TLS 1.2, its certificates in the clear.
  double tls12_fraction = 0.25;
  uint32_t concurrent_flows = 2000;  // flows open at the same time (interleaving)
  uint64_t seed = 1;
  int64_t start_us = 1'700'000'000'000'000;
};

struct CaptureSummary {
  uint64_t packets = 0, bytes = 0;  // bytes = frame bytes written
  uint64_t flows = 0, mining_flows = 0, udp_flows = 0;
  uint64_t tls_flows = 0, http_flows = 0;  // web flows over TLS and over plain HTTP
  uint64_t tls12_flows = 0;                 // of the TLS flows, those in TLS 1.2
};

Result<CaptureSummary> WriteMixedCapture(const MixedCaptureOptions& options, FILE* out);
Result<CaptureSummary> WriteMixedCaptureFile(const MixedCaptureOptions& options,
                                             const std::string& path);
// The same into memory (for small captures in tests).
Bytes MixedCaptureBytes(const MixedCaptureOptions& options, CaptureSummary* summary = nullptr);

}  // namespace mw::net::testing
