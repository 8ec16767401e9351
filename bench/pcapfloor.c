/*
 * bench/pcapfloor — the libpcap read floor: the least work any pcap-based
 * tool must do on a file (open it, get every packet, look at it).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   pcapfloor FILE.pcap     prints "packets=N bytes=B first_byte_sum=S"
 *
 * Touching the first byte of each packet makes the page-in real and keeps the
 * compiler from dropping the loop; the sum is printed so it cannot be elided.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  char err[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *h;
  const u_char *data;
  uint64_t packets = 0, bytes = 0, sum = 0;
  int rc;

  if (argc != 2) {
    fputs("Usage: pcapfloor FILE.pcap\n", stderr);
    return 2;
  }
  pcap_t *p = pcap_open_offline(argv[1], err);
  if (!p) {
    fprintf(stderr, "pcapfloor: %s\n", err);
    return 1;
  }
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    packets++;
    bytes += h->caplen;
    if (h->caplen)
      sum += data[0];
  }
  if (rc == PCAP_ERROR)
    fprintf(stderr, "pcapfloor: %s\n", pcap_geterr(p));
  pcap_close(p);
  printf("packets=%llu bytes=%llu first_byte_sum=%llu\n", (unsigned long long)packets,
         (unsigned long long)bytes, (unsigned long long)sum);
  return rc == PCAP_ERROR ? 1 : 0;
}
