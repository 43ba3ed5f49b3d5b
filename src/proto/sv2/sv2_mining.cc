#include "proto/sv2/sv2_mining.h"

#include <bit>
#include <cstring>

#include "proto/sv2/sv2_wire.h"

namespace mw::sv2 {

namespace {

Result<Bytes> Framed(uint8_t type, bool channel_msg, Result<Bytes> payload) {
  MW_RETURN_IF_ERROR(payload.status());
  return EncodeFrame(channel_msg ? kChannelMsgBit : 0, type, *payload);
}

void U256Out(Bytes& out, const U256& v) { wire::Raw(out, ByteSpan(v.data(), v.size())); }

}  // namespace

Result<Bytes> EncodeFrame(const SetupConnection& m) {
  return Framed(kSetupConnection, false, EncodeSetupConnection(m));
}
Result<Bytes> EncodeFrame(const SetupConnectionSuccess& m) {
  return Framed(kSetupConnectionSuccess, false, EncodeSetupConnectionSuccess(m));
}
Result<Bytes> EncodeFrame(const SetupConnectionError& m) {
  return Framed(kSetupConnectionError, false, EncodeSetupConnectionError(m));
}

Result<Bytes> EncodeFrame(const OpenStandardMiningChannel& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.request_id);
  MW_RETURN_IF_ERROR(wire::Str0_255(p, m.user_identity, "user_identity"));
  wire::U32(p, std::bit_cast<uint32_t>(m.nominal_hash_rate));
  U256Out(p, m.max_target);
  return Framed(kOpenStandardMiningChannel, false, std::move(p));
}

Result<Bytes> EncodeFrame(const OpenStandardMiningChannelSuccess& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.request_id);
  wire::U32(p, m.channel_id);
  U256Out(p, m.target);
  MW_RETURN_IF_ERROR(wire::Sized(p, m.extranonce_prefix, 32, "extranonce_prefix"));
  wire::U32(p, m.group_channel_id);
  return Framed(kOpenStandardMiningChannelSuccess, false, std::move(p));
}

Result<Bytes> EncodeFrame(const OpenMiningChannelError& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.request_id);
  MW_RETURN_IF_ERROR(wire::Str0_255(p, m.error_code, "error_code"));
  return Framed(kOpenMiningChannelError, false, std::move(p));
}

Result<Bytes> EncodeFrame(const NewMiningJob& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.channel_id);
  wire::U32(p, m.job_id);
  if (m.min_ntime) {
    p.resize(p.size() + 1, 1);  // OPTION with one element
    wire::U32(p, *m.min_ntime);
  } else {
    p.resize(p.size() + 1, 0);
  }
  wire::U32(p, m.version);
  U256Out(p, m.merkle_root);
  return Framed(kNewMiningJob, false, std::move(p));
}

Result<Bytes> EncodeFrame(const SetNewPrevHash& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.channel_id);
  wire::U32(p, m.job_id);
  U256Out(p, m.prev_hash);
  wire::U32(p, m.min_ntime);
  wire::U32(p, m.nbits);
  return Framed(kSetNewPrevHash, true, std::move(p));
}

Result<Bytes> EncodeFrame(const SetTarget& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.channel_id);
  U256Out(p, m.maximum_target);
  return Framed(kSetTarget, true, std::move(p));
}

Result<Bytes> EncodeFrame(const SubmitSharesStandard& m) {
  Bytes p;
  p.reserve(96);
  for (uint32_t v : {m.channel_id, m.sequence_number, m.job_id, m.nonce, m.ntime, m.version}) {
    wire::U32(p, v);
  }
  return Framed(kSubmitSharesStandard, true, std::move(p));
}

Result<Bytes> EncodeFrame(const SubmitSharesSuccess& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.channel_id);
  wire::U32(p, m.last_sequence_number);
  wire::U32(p, m.new_submits_accepted_count);
  wire::U64(p, m.new_shares_sum);
  return Framed(kSubmitSharesSuccess, true, std::move(p));
}

Result<Bytes> EncodeFrame(const SubmitSharesError& m) {
  Bytes p;
  p.reserve(96);
  wire::U32(p, m.channel_id);
  wire::U32(p, m.sequence_number);
  MW_RETURN_IF_ERROR(wire::Str0_255(p, m.error_code, "error_code"));
  return Framed(kSubmitSharesError, true, std::move(p));
}

Result<OpenStandardMiningChannel> DecodeOpenStandardMiningChannel(ByteSpan payload) {
  wire::Reader r(payload);
  OpenStandardMiningChannel m;
  MW_ASSIGN_OR_RETURN(m.request_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.user_identity, r.Str0_255());
  MW_ASSIGN_OR_RETURN(uint32_t rate_bits, r.U32());
  m.nominal_hash_rate = std::bit_cast<float>(rate_bits);
  MW_ASSIGN_OR_RETURN(m.max_target, r.U256());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<OpenStandardMiningChannelSuccess> DecodeOpenStandardMiningChannelSuccess(ByteSpan payload) {
  wire::Reader r(payload);
  OpenStandardMiningChannelSuccess m;
  MW_ASSIGN_OR_RETURN(m.request_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.target, r.U256());
  MW_ASSIGN_OR_RETURN(m.extranonce_prefix, r.B0_32());
  MW_ASSIGN_OR_RETURN(m.group_channel_id, r.U32());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<OpenMiningChannelError> DecodeOpenMiningChannelError(ByteSpan payload) {
  wire::Reader r(payload);
  OpenMiningChannelError m;
  MW_ASSIGN_OR_RETURN(m.request_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.error_code, r.Str0_255());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<NewMiningJob> DecodeNewMiningJob(ByteSpan payload) {
  wire::Reader r(payload);
  NewMiningJob m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.job_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.min_ntime, r.OptionU32());
  MW_ASSIGN_OR_RETURN(m.version, r.U32());
  MW_ASSIGN_OR_RETURN(m.merkle_root, r.U256());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<SetNewPrevHash> DecodeSetNewPrevHash(ByteSpan payload) {
  wire::Reader r(payload);
  SetNewPrevHash m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.job_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.prev_hash, r.U256());
  MW_ASSIGN_OR_RETURN(m.min_ntime, r.U32());
  MW_ASSIGN_OR_RETURN(m.nbits, r.U32());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<SetTarget> DecodeSetTarget(ByteSpan payload) {
  wire::Reader r(payload);
  SetTarget m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.maximum_target, r.U256());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<SubmitSharesStandard> DecodeSubmitSharesStandard(ByteSpan payload) {
  wire::Reader r(payload);
  SubmitSharesStandard m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.sequence_number, r.U32());
  MW_ASSIGN_OR_RETURN(m.job_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.nonce, r.U32());
  MW_ASSIGN_OR_RETURN(m.ntime, r.U32());
  MW_ASSIGN_OR_RETURN(m.version, r.U32());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<SubmitSharesSuccess> DecodeSubmitSharesSuccess(ByteSpan payload) {
  wire::Reader r(payload);
  SubmitSharesSuccess m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.last_sequence_number, r.U32());
  MW_ASSIGN_OR_RETURN(m.new_submits_accepted_count, r.U32());
  MW_ASSIGN_OR_RETURN(m.new_shares_sum, r.U64());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

Result<SubmitSharesError> DecodeSubmitSharesError(ByteSpan payload) {
  wire::Reader r(payload);
  SubmitSharesError m;
  MW_ASSIGN_OR_RETURN(m.channel_id, r.U32());
  MW_ASSIGN_OR_RETURN(m.sequence_number, r.U32());
  MW_ASSIGN_OR_RETURN(m.error_code, r.Str0_255());
  MW_RETURN_IF_ERROR(r.Done());
  return m;
}

}  // namespace mw::sv2
