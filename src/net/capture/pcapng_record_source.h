// PcapngRecordSource: reads the blocks of a pcapng file itself, from a file read in chunks, a
// pipe or memory, and hands out frames that point into its buffer without copying them (a
// whole batch stays valid together, as with PcapRecordSource).
//
// Why not libpcap's reader: it refuses a file whose interfaces differ in link type or snapshot
// length ("an interface has a type 101 different from the type of the first interface"), and
// such files are common: a capture taken on several interfaces at once (Ethernet and a Linux
// "any" device, a tunnel's raw IP and its carrier). This source keeps each interface's link
// type, snapshot length, time resolution and offset, and gives every frame its interface's link
// type; the decoder counts frames of a link type it does not know. Each section may have its
// own byte order. libpcap still opens the file (its checks and error messages for the first
// section header and interface), and compiles the BPF filter, once per link type met.
//
// Where libpcap reads a file to its end, this source gives the same frames (times, lengths,
// bytes), the same end and the same counters: the unit test and the `pcap_file` fuzz target
// compare the two. Where libpcap stops at a difference between interfaces or sections, this
// source goes on. Times are converted to microseconds as libpcap converts them, including its
// wrap-around for absurd resolutions and offsets; what falls outside the range of capture times
// is clamped and counted (CaptureStats::timestamps_clamped). Enhanced, simple and obsolete
// packet blocks are read; every other block (name resolution, statistics, decryption secrets,
// custom) is skipped.
//
// Internal to net/capture: use OpenPcapFile / OpenPcapMemory.
#pragma once

#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "net/capture/buffered_source.h"
#include "net/capture/packet_source.h"

namespace mw::net::internal {

// The largest block read (libpcap's limit before it knows the snapshot length). A block longer
// than this is an error.
inline constexpr uint32_t kMaxPcapngBlockBytes = 16u << 20;

// The most interfaces one section may describe. Real captures have a handful; a file of
// millions of interface blocks would otherwise hold memory several times its size.
inline constexpr size_t kMaxPcapngInterfaces = size_t{1} << 16;

// Whether `head` (at least 4 bytes) starts a pcapng file (a section header block).
bool IsPcapng(ByteSpan head);

// For a pipe, whose bytes cannot be read twice: appends to `head` (the stream's first bytes, at
// least 12) what libpcap reads to open a pcapng file, up to and including the first interface
// description block, read from `fd`. Stops early, leaving libpcap to say what is wrong, at the
// end of the stream or at a block it would refuse. False on a read error (errno says which).
bool ReadPcapngOpening(int fd, Bytes& head);

// Reads blocks from `input` (buffered_source.h: a regular file with pread, a pipe with read, or
// memory), from its first byte on. `handle` has opened the same file (its first section header
// and interface); the source owns it. Errors: the first interface's link type is not supported,
// the filter does not compile for it.
Result<std::unique_ptr<PacketSource>> OpenPcapngRecordSource(pcap_t* handle, std::string name,
                                                             LoopInput input,
                                                             const std::string& bpf_filter);

}  // namespace mw::net::internal
