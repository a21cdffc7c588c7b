// Every AWS region that Route53 accepts in a latency record's `Region` field (the
// ResourceRecordSetRegion enum of the Route53 API; a test keeps this table equal to the SDK's),
// with the location the latency model measures from.
// Coordinates are those of the metropolitan area AWS names for the region, to two decimals.

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-eusc';

export interface AwsRegion {
  readonly code: string;
  readonly name: string;
  readonly partition: Partition;
  readonly latitude: number;
  readonly longitude: number;
}

const table: ReadonlyArray<readonly [string, string, Partition, number, number]> = [
  ['af-south-1', 'Africa (Cape Town)', 'aws', -33.92, 18.42],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', 'aws', 22.32, 114.17],
  ['ap-east-2', 'Asia Pacific (Taipei)', 'aws', 25.03, 121.57],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', 'aws', 35.68, 139.69],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', 'aws', 37.57, 126.98],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', 'aws', 34.69, 135.5],
  ['ap-south-1', 'Asia Pacific (Mumbai)', 'aws', 19.08, 72.88],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', 'aws', 17.39, 78.49],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', 'aws', 1.35, 103.82],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', 'aws', -33.87, 151.21],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', 'aws', -6.21, 106.85],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', 'aws', -37.81, 144.96],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)', 'aws', 3.14, 101.69],
  ['ap-southeast-6', 'Asia Pacific (New Zealand)', 'aws', -36.85, 174.76],
  ['ap-southeast-7', 'Asia Pacific (Thailand)', 'aws', 13.76, 100.5],
  ['ca-central-1', 'Canada (Central)', 'aws', 45.5, -73.57],
  ['ca-west-1', 'Canada West (Calgary)', 'aws', 51.05, -114.07],
  ['cn-north-1', 'China (Beijing)', 'aws-cn', 39.9, 116.41],
  ['cn-northwest-1', 'China (Ningxia)', 'aws-cn', 38.47, 106.27],
  ['eu-central-1', 'Europe (Frankfurt)', 'aws', 50.11, 8.68],
  ['eu-central-2', 'Europe (Zurich)', 'aws', 47.38, 8.54],
  ['eu-north-1', 'Europe (Stockholm)', 'aws', 59.33, 18.07],
  ['eu-south-1', 'Europe (Milan)', 'aws', 45.46, 9.19],
  ['eu-south-2', 'Europe (Spain)', 'aws', 41.65, -0.88],
  ['eu-west-1', 'Europe (Ireland)', 'aws', 53.35, -6.26],
  ['eu-west-2', 'Europe (London)', 'aws', 51.51, -0.13],
  ['eu-west-3', 'Europe (Paris)', 'aws', 48.86, 2.35],
  ['eusc-de-east-1', 'AWS European Sovereign Cloud (Germany)', 'aws-eusc', 52.39, 13.06],
  ['il-central-1', 'Israel (Tel Aviv)', 'aws', 32.09, 34.78],
  ['me-central-1', 'Middle East (UAE)', 'aws', 25.2, 55.27],
  ['me-south-1', 'Middle East (Bahrain)', 'aws', 26.07, 50.56],
  ['mx-central-1', 'Mexico (Central)', 'aws', 20.59, -100.39],
  ['sa-east-1', 'South America (São Paulo)', 'aws', -23.55, -46.63],
  ['us-east-1', 'US East (N. Virginia)', 'aws', 39.04, -77.49],
  ['us-east-2', 'US East (Ohio)', 'aws', 39.96, -83.0],
  ['us-gov-east-1', 'AWS GovCloud (US-East)', 'aws-us-gov', 40.0, -83.0],
  ['us-gov-west-1', 'AWS GovCloud (US-West)', 'aws-us-gov', 45.6, -121.2],
  ['us-west-1', 'US West (N. California)', 'aws', 37.34, -121.89],
  ['us-west-2', 'US West (Oregon)', 'aws', 45.84, -119.7],
];

export const AWS_REGIONS: ReadonlyMap<string, AwsRegion> = new Map(
  table.map(([code, name, partition, latitude, longitude]) => [code, { code, name, partition, latitude, longitude }]),
);

export const AWS_REGION_CODES: readonly string[] = [...AWS_REGIONS.keys()];

/** The partition a kubeCDN's hosted zone and load balancers live in. */
export const SERVING_PARTITION: Partition = 'aws';
