// VMware's PCI devices (vendor 0x15AD; open-vm-tools' vm_device_version.h) and
// the Linux driver that binds each. Devices VMware emulates under another
// vendor's ID (the e1000 NICs are Intel 8086:100f / 8086:10d3) carry VMware's
// vendor as their PCI subsystem vendor instead.

export const PCI_VENDOR_ID_VMWARE = 0x15ad;

export type DeviceKind = 'network' | 'storage' | 'display' | 'vmci' | 'usb' | 'bridge' | 'other';

export interface PciId {
  name: string;
  kind: DeviceKind;
  /** the Linux driver (sysfs name) that binds it, where there is one */
  driver?: string;
}

export const VMWARE_PCI: Readonly<Record<number, PciId>> = {
  0x0405: { name: 'SVGA II', kind: 'display', driver: 'vmwgfx' },
  0x0406: { name: 'SVGA 3', kind: 'display', driver: 'vmwgfx' },
  0x0710: { name: 'SVGA (legacy)', kind: 'display' },
  0x0711: { name: 'VGA', kind: 'display' },
  0x0720: { name: 'vmxnet', kind: 'network' },
  0x0730: { name: 'VMware SCSI', kind: 'storage' },
  0x0740: { name: 'VMCI', kind: 'vmci', driver: 'vmw_vmci' },
  0x0770: { name: 'EHCI', kind: 'usb', driver: 'ehci-pci' },
  0x0774: { name: 'UHCI', kind: 'usb', driver: 'uhci_hcd' },
  0x0778: { name: 'xHCI', kind: 'usb', driver: 'xhci_hcd' },
  0x0779: { name: 'xHCI', kind: 'usb', driver: 'xhci_hcd' },
  0x077a: { name: 'xHCI', kind: 'usb', driver: 'xhci_hcd' },
  0x0790: { name: 'PCI bridge', kind: 'bridge' },
  0x07a0: { name: 'PCIe root port', kind: 'bridge', driver: 'pcieport' },
  0x07b0: { name: 'vmxnet3', kind: 'network', driver: 'vmxnet3' },
  0x07c0: { name: 'PVSCSI', kind: 'storage', driver: 'vmw_pvscsi' },
  0x07e0: { name: 'SATA AHCI', kind: 'storage', driver: 'ahci' },
  0x07f0: { name: 'NVMe', kind: 'storage', driver: 'nvme' },
  0x0820: { name: 'PVRDMA', kind: 'network', driver: 'vmw_pvrdma' },
  0x0830: { name: 'vTPM', kind: 'other' },
};

/** The name of a "15ad:07b0" ID (the ID itself for another vendor's). */
export function nameOfId(id: string): string {
  const [vendor, device] = id.split(':').map((h) => Number.parseInt(h, 16));
  return (vendor === PCI_VENDOR_ID_VMWARE && VMWARE_PCI[device!]?.name) || id;
}

/** What a device of another vendor is, by PCI class (for VMware-flavoured devices such as the e1000). */
export function kindOfClass(pciClass: number): DeviceKind {
  const base = pciClass >> 16;
  return base === 0x02 ? 'network' : base === 0x01 ? 'storage' : base === 0x03 ? 'display' : base === 0x0c ? 'usb' : base === 0x06 ? 'bridge' : 'other';
}

/** The VMware kernel modules `vmt devices` reports (loaded or not). */
export const VMWARE_MODULES = ['vmw_vmci', 'vmw_vsock_vmci_transport', 'vmw_balloon', 'vmwgfx', 'vmw_pvscsi', 'vmxnet3', 'vmw_pvrdma'] as const;
