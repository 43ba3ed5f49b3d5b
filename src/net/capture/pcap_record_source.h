// PcapRecordSource: reads the records of a classic pcap file (version 2.4, either byte order,
// microsecond or nanosecond timestamps) itself, from a file read in kFileReadBufferBytes chunks,
// a pipe or memory, and hands out frames that point into its buffer without copying them.
//
// Why not libpcap's own loop: pcap_next_ex() reads each record with two fread() calls into one
// buffer that the next call overwrites, so a caller that wants a batch of frames at once must
// copy every frame. This source moves its buffer only at the start of a read call, so a whole
// batch (NextBatch) stays valid together. libpcap still parses the file header (link type,
// snapshot length, its error messages), compiles and runs the BPF filter, reads pcapng and
// every older or unusual pcap variant (OpenPcapFile/OpenPcapMemory fall back to it), and
// captures live. Records are read as libpcap reads them: a record longer than the snapshot
// length is cut to it, one longer than kMaxRecordBytes is an error, a cut-off last record is
// an error; pcap_source_test and the pcap_file fuzz target compare the two readers frame by
// frame.
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

// libpcap's largest record for the link types the decoder supports (MAXIMUM_SNAPLEN).
inline constexpr uint32_t kMaxRecordBytes = 262144;
inline constexpr size_t kPcapFileHeaderBytes = 24;
inline constexpr size_t kPcapRecordHeaderBytes = 16;

// Shared by both file readers and live capture. OK, or the one-line error (naming the source)
// for a link type the decoder does not support.
Status CheckLinkType(const std::string& source_name, int link_type);
// Compiles `filter` (not empty) for `handle` into `program` (the caller frees it with
// pcap_freecode); the one-line error names the source and the filter.
Status CompileFilter(pcap_t* handle, const std::string& source_name, const std::string& filter,
                     bpf_program& program);

// Whether `head` (the first bytes of a capture, at least kPcapFileHeaderBytes) starts a classic
// pcap file of version 2.4 in either byte order, with microsecond or nanosecond timestamps.
bool IsPcapV24(ByteSpan head);

// Reads records from `input` (buffered_source.h: a regular file with pread, a pipe with read,
// or memory), from offset kPcapFileHeaderBytes on. `handle` has parsed the same file's header;
// the source owns it and uses it for the link type, the snapshot length and the BPF filter.
// `head` is the file header. Errors: an unsupported link type, a filter that does not compile.
Result<std::unique_ptr<PacketSource>> OpenPcapRecordSource(pcap_t* handle, std::string name,
                                                           LoopInput input, ByteSpan head,
                                                           const std::string& bpf_filter);

}  // namespace mw::net::internal
