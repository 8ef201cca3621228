export const DEMO_ADMIN_EMAIL = 'admin@panel.local';

/** A VMess node as XrayR reads it (custom_config values are strings, see docs/spec/node-api.md). */
export const DEMO_NODE = {
  name: 'Demo node',
  type: 1,
  server: 'node1.example.com',
  method: 'aes-256-gcm',
  info: 'Demo node created by the seed',
  status: 'available',
  sort: 11,
  trafficRate: 1,
  nodeClass: 0,
  nodeGroup: 0,
  nodeSpeedlimit: 0,
  nodeConnector: 0,
  nodeBandwidth: 0,
  nodeBandwidthLimit: 0,
  customConfig: {
    offset_port_node: '443',
    host: 'node1.example.com',
    network: 'tcp',
    security: 'none',
  },
};

export const DEMO_PLANS = [
  {
    name: 'Basic (demo)',
    price: '10.00',
    content: {
      traffic: 100,
      reset_traffic: true,
      class: 1,
      class_expire: 30,
      expire_in: 30,
    },
    autoRenew: 30,
    autoResetBandwidth: 1,
    status: 1,
  },
  {
    name: 'Pro (demo)',
    price: '25.00',
    content: {
      traffic: 300,
      reset_traffic: true,
      class: 2,
      class_expire: 30,
      expire_in: 30,
      connector: 5,
    },
    autoRenew: 30,
    autoResetBandwidth: 1,
    status: 1,
  },
];
