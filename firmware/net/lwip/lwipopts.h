/* lwIP configuration for the agent: every board and the simulator compile lwIP from Debian's
 * source package with this file, so the stack the simulator exercises is the one bare metal
 * runs. Raw API only (callbacks, no threads): NO_SYS=1, IPv4 over Ethernet with ARP, UDP for
 * the census uplink and TCP for the login. Every pool is static; lwIP never calls malloc. */
#ifndef GATEMETER_LWIPOPTS_H
#define GATEMETER_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* one thread drives lwIP: the board's loop */
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1 /* answers ping: how an operator checks a gateway is alive */
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0 /* boards configure a static address */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0 /* census and login addresses arrive as a.b.c.d:port */
#define LWIP_STATS 0
#define LWIP_NETIF_LOOPBACK 1 /* the in-process tests talk to themselves */
#define LWIP_HAVE_LOOPIF 1

/* A metering batch may be a few kilobytes (frame::max_frame_size), more than one Ethernet
 * frame: the uplink relies on IP fragmentation out and reassembly in. */
#define IP_FRAG 1
#define IP_REASSEMBLY 1
#define IP_REASS_MAX_PBUFS 12
#define MEMP_NUM_REASSDATA 2
#define MEMP_NUM_FRAG_PBUF 8

/* Memory: a static heap for outgoing pbufs (a batch, TLS records) and a pool for frames in. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8 /* pointers on 64-bit hosts; uint64_t on ARM EABI */
#define MEM_SIZE (24 * 1024)
#define PBUF_POOL_SIZE 24
#define MEMP_NUM_PBUF 16
#define MEMP_NUM_UDP_PCB 4     /* census uplink; tests add a fake census and a stranger */
#define MEMP_NUM_TCP_PCB 4     /* the login connection (and one in TIME_WAIT) */
#define MEMP_NUM_TCP_PCB_LISTEN 2 /* only tests listen */
#define MEMP_NUM_TCP_SEG 32
#define ARP_TABLE_SIZE 4
#define ARP_QUEUEING 1         /* the first datagram to a census waits for ARP, not dropped */
#define MEMP_NUM_ARP_QUEUE 8

#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 0

/* Local ports and the IP id start from the board's randomness (gm_lwip_seed), so that a
 * gateway rebooting after a power cut does not reuse the port of its previous connection. */
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1
#define LWIP_RAND() gm_lwip_rand()

#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0

#endif
