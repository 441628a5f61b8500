//! Link-layer, IP and UDP/TCP decoding of one captured packet.
//!
//! Header layouts: Ethernet II (IEEE 802.3, 802.1Q/802.1ad tags), Linux SLL
//! and SLL2 (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL{,2}.html), BSD null
//! loopback (AF_INET = 2; AF_INET6 = 24, 28 or 30 depending on the OS),
//! IPv4 (RFC 791), IPv6 (RFC 8200), UDP (RFC 768), TCP (RFC 9293).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::capture::{LinkType, Packet};

/// Transport protocol of a decoded segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// The UDP datagram or TCP segment carried by a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    pub transport: Transport,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Application payload (possibly cut short by the snap length).
    pub payload: &'a [u8],
    /// TCP flags byte (0 for UDP).
    pub tcp_flags: u8,
}

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86DD;

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Decode a packet down to UDP/TCP. `None` for anything else (ARP, ICMP,
/// non-first fragments, unknown link types, truncated headers).
pub fn decode_packet(p: &Packet) -> Option<Segment<'_>> {
    let d = p.data.as_slice();
    let (ethertype, ip) = match p.link {
        LinkType::Ethernet => {
            let mut et = be16(d, 12)?;
            let mut at = 14;
            // Up to two VLAN tags.
            for _ in 0..2 {
                if et == 0x8100 || et == 0x88A8 {
                    et = be16(d, at + 2)?;
                    at += 4;
                }
            }
            (et, d.get(at..)?)
        }
        LinkType::LinuxSll => (be16(d, 14)?, d.get(16..)?),
        LinkType::LinuxSll2 => (be16(d, 0)?, d.get(20..)?),
        LinkType::Null | LinkType::Loop => {
            let b = d.get(0..4)?;
            let le = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let be = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            // The family is in the capturing host's byte order (Null); either
            // way it is a small number, so take the one that is small.
            let fam = if p.link == LinkType::Loop || le > 0xFFFF {
                be
            } else {
                le
            };
            let et = match fam {
                2 => ETH_IPV4,
                24 | 28 | 30 => ETH_IPV6,
                _ => return None,
            };
            (et, d.get(4..)?)
        }
        LinkType::Raw => match d.first()? >> 4 {
            4 => (ETH_IPV4, d),
            6 => (ETH_IPV6, d),
            _ => return None,
        },
        LinkType::Ipv4 => (ETH_IPV4, d),
        LinkType::Ipv6 => (ETH_IPV6, d),
        LinkType::Other(_) => return None,
    };
    let (proto, src, dst, l4) = match ethertype {
        ETH_IPV4 => ipv4(ip)?,
        ETH_IPV6 => ipv6(ip)?,
        _ => return None,
    };
    match proto {
        17 => {
            let sp = be16(l4, 0)?;
            let dp = be16(l4, 2)?;
            let ulen = usize::from(be16(l4, 4)?);
            let end = if ulen >= 8 {
                ulen.min(l4.len())
            } else {
                l4.len()
            };
            Some(Segment {
                transport: Transport::Udp,
                src: SocketAddr::new(src, sp),
                dst: SocketAddr::new(dst, dp),
                payload: l4.get(8..end).unwrap_or(&[]),
                tcp_flags: 0,
            })
        }
        6 => {
            let sp = be16(l4, 0)?;
            let dp = be16(l4, 2)?;
            let off = usize::from(*l4.get(12)? >> 4) * 4;
            let flags = *l4.get(13)?;
            if off < 20 {
                return None;
            }
            Some(Segment {
                transport: Transport::Tcp,
                src: SocketAddr::new(src, sp),
                dst: SocketAddr::new(dst, dp),
                payload: l4.get(off..).unwrap_or(&[]),
                tcp_flags: flags,
            })
        }
        _ => None,
    }
}

fn ipv4(b: &[u8]) -> Option<(u8, IpAddr, IpAddr, &[u8])> {
    let v = *b.first()?;
    if v >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(v & 0x0F) * 4;
    let total = usize::from(be16(b, 2)?);
    let frag = be16(b, 6)? & 0x1FFF;
    if ihl < 20 || frag != 0 {
        return None;
    }
    let proto = *b.get(9)?;
    let s = b.get(12..16)?;
    let t = b.get(16..20)?;
    let src = IpAddr::V4(Ipv4Addr::new(s[0], s[1], s[2], s[3]));
    let dst = IpAddr::V4(Ipv4Addr::new(t[0], t[1], t[2], t[3]));
    // Trim Ethernet padding; tolerate a total length of 0 (TSO captures).
    let end = if total >= ihl {
        total.min(b.len())
    } else {
        b.len()
    };
    Some((proto, src, dst, b.get(ihl..end)?))
}

fn ipv6(b: &[u8]) -> Option<(u8, IpAddr, IpAddr, &[u8])> {
    if *b.first()? >> 4 != 6 {
        return None;
    }
    let plen = usize::from(be16(b, 4)?);
    let mut next = *b.get(6)?;
    let s: [u8; 16] = b.get(8..24)?.try_into().ok()?;
    let t: [u8; 16] = b.get(24..40)?.try_into().ok()?;
    let end = if plen == 0 {
        b.len()
    } else {
        (40 + plen).min(b.len())
    };
    let mut rest = b.get(40..end)?;
    // Skip extension headers (bounded).
    for _ in 0..8 {
        match next {
            0 | 43 | 60 => {
                let len = (usize::from(*rest.get(1)?) + 1) * 8;
                next = *rest.first()?;
                rest = rest.get(len..)?;
            }
            44 => {
                let off = be16(rest, 2)? >> 3;
                if off != 0 {
                    return None;
                }
                next = *rest.first()?;
                rest = rest.get(8..)?;
            }
            _ => break,
        }
    }
    Some((
        next,
        IpAddr::V6(Ipv6Addr::from(s)),
        IpAddr::V6(Ipv6Addr::from(t)),
        rest,
    ))
}
