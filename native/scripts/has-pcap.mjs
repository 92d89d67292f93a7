// Prints 1 when libpcap's development files are installed, else 0 (binding.gyp's switch for the flow watcher).
import { hasPcap } from './pcap-check.mjs';

process.stdout.write(hasPcap() ? '1' : '0');
