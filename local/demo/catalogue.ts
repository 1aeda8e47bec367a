/**
 * The demo's fixed catalogue: the 59 licensing items of 14 departments that Harbin New Area grants
 * under the notify-and-commit system (docs/domain.md, "The reform the pipeline serves"),
 * and the government units that accept commitments, punish breaches and handle credit repair.
 *
 * The item names are the usual Chinese names of these licences (◐: modelled on public item lists of
 * district approval bureaus, not copied from Harbin New Area's own list, which is not public in
 * full). Item codes follow no national scheme: `230109` (松北区, where the New Area sits) + `XK`
 * (行政许可) + department number + item number — they only need to be stable and match the
 * contract's `itemCode` pattern.
 *
 * Nothing here depends on the seed: the catalogue is the same in every dataset.
 */
import { usccFrom } from './random.js';

export type LicenceCategory = '普通' | '特许' | '认可' | '核准' | '登记' | '其他';

export interface Department {
  /** Two-digit number used in item codes. */
  number: string;
  /** Short name, e.g. 市场监督管理局. */
  name: string;
  /** Full unit name as it appears in records (许可/实施部门, 履约认定单位). */
  unit: string;
  uscc: string;
}

export interface LicensingItem {
  /** 事项编码 */
  code: string;
  /** 事项名称 */
  name: string;
  /** Short name of the implementing department (Department.name). */
  department: string;
  category: LicenceCategory;
  /** 许可证书名称, when the licence is a certificate (some items end in an approval document only). */
  certificate?: string;
  /** The sector law or regulation behind the item, cited after the Administrative Licensing Law when a commitment made for it is broken. */
  regulation: string;
  /** Years the licence runs; undefined: long-term (2099-12-31). */
  validYears?: number;
  /** Who applies: market entities, or natural persons (practitioner registrations). */
  holders: 'enterprise' | 'person';
  /** Name endings of enterprises that apply for it (哈尔滨 + brand + ending). */
  enterpriseSuffixes: readonly string[];
  /** Name endings of individual businesses (个体工商户) that apply for it; none: not an item for them. */
  individualSuffixes?: readonly string[];
}

/** Unit USCCs: authority 1 (机构编制), category 1 (机关), 松北区, and a fixed organisation-code body. */
const unitUscc = (n: number): string => usccFrom(`11230109MB${String(120_000 + n * 1_731).padStart(6, '0')}`);

const DEPARTMENT_NAMES = [
  '市场监督管理局',
  '卫生健康局',
  '住房和城乡建设局',
  '交通运输局',
  '生态环境局',
  '文化广电和旅游局',
  '应急管理局',
  '人力资源和社会保障局',
  '教育局',
  '农业农村局',
  '商务局',
  '城市管理局',
  '自然资源和规划局',
  '水务局',
] as const;

export const DEPARTMENTS: readonly Department[] = DEPARTMENT_NAMES.map((name, i) => ({
  number: String(i + 1).padStart(2, '0'),
  name,
  unit: `哈尔滨新区管理委员会${name}`,
  uscc: unitUscc(i + 1),
}));

/** Units that are not licensing departments but appear in every dataset. */
export const UNITS = {
  /** Accepts every commitment and issues the licence (relatively centralised licensing power). */
  approval: { unit: '哈尔滨新区管理委员会行政审批局', uscc: unitUscc(20) },
  /** Decides penalties for broken commitments (source hrbxq-enforcement). */
  enforcement: { unit: '哈尔滨新区管理委员会综合行政执法局', uscc: unitUscc(21) },
  /** Runs the credit-repair window (source hrb-credit-repair) and accepts credit-repair commitments. */
  creditRepair: { unit: '哈尔滨新区管理委员会发展和改革局', uscc: unitUscc(22) },
} as const;

type ItemRow = [
  department: number,
  name: string,
  category: LicenceCategory,
  certificate: string,
  validYears: number, // 0: long-term
  regulation: string,
  enterpriseSuffixes: readonly string[], // empty: an item for natural persons
  individualSuffixes?: readonly string[],
];

const ITEM_TABLE: readonly ItemRow[] = [
  [
    1,
    '食品经营许可',
    '普通',
    '食品经营许可证',
    5,
    '《中华人民共和国食品安全法》',
    ['餐饮管理有限公司', '食品商贸有限公司', '超市有限公司'],
    ['小吃店', '便利店', '饭店'],
  ],
  [1, '食品生产许可', '普通', '食品生产许可证', 5, '《中华人民共和国食品安全法》', ['食品有限公司', '乳业有限公司', '饮品有限公司']],
  [1, '食品小作坊登记', '登记', '食品小作坊登记证', 3, '《中华人民共和国食品安全法》', ['食品加工有限公司'], ['豆制品加工坊', '面食加工坊']],
  [1, '药品零售经营许可', '普通', '药品经营许可证', 5, '《中华人民共和国药品管理法》', ['大药房有限公司', '医药连锁有限公司'], ['药店']],
  [1, '第三类医疗器械经营许可', '普通', '医疗器械经营许可证', 5, '《医疗器械监督管理条例》', ['医疗器械有限公司', '医疗科技有限公司']],
  [1, '特种设备使用登记', '登记', '特种设备使用登记证', 0, '《中华人民共和国特种设备安全法》', ['物业管理有限公司', '机械设备有限公司']],
  [
    2,
    '公共场所卫生许可',
    '普通',
    '公共场所卫生许可证',
    4,
    '《公共场所卫生管理条例》',
    ['酒店管理有限公司', '洗浴服务有限公司', '美容美发有限公司'],
    ['理发店', '美容店'],
  ],
  [2, '医疗机构执业登记', '登记', '医疗机构执业许可证', 5, '《医疗机构管理条例》', ['口腔门诊部有限公司', '诊所有限公司', '医院管理有限公司']],
  [2, '放射诊疗许可', '普通', '放射诊疗许可证', 5, '《放射诊疗管理规定》', ['医院管理有限公司', '口腔医疗有限公司']],
  [2, '护士执业注册', '登记', '护士执业证书', 5, '《护士条例》', []],
  [2, '医师执业注册', '登记', '医师执业证书', 0, '《中华人民共和国医师法》', []],
  [3, '建筑工程施工许可', '普通', '建筑工程施工许可证', 0, '《建筑工程施工许可管理办法》', ['建筑工程有限公司', '房地产开发有限公司', '建设集团有限公司']],
  [3, '建筑业企业资质核准', '核准', '建筑业企业资质证书', 5, '《建筑业企业资质管理规定》', ['建筑工程有限公司', '装饰工程有限公司', '钢结构工程有限公司']],
  [3, '商品房预售许可', '普通', '商品房预售许可证', 0, '《城市商品房预售管理办法》', ['房地产开发有限公司', '置业有限公司']],
  [3, '燃气经营许可', '特许', '燃气经营许可证', 3, '《城镇燃气管理条例》', ['燃气有限公司', '能源有限公司']],
  [3, '城市建筑垃圾处置核准', '核准', '城市建筑垃圾处置核准证', 1, '《城市建筑垃圾管理规定》', ['环境工程有限公司', '渣土运输有限公司']],
  [4, '道路货物运输经营许可', '普通', '道路运输经营许可证', 4, '《中华人民共和国道路运输条例》', ['物流有限公司', '运输有限公司', '货运有限公司'], ['货运部']],
  [4, '道路旅客运输经营许可', '普通', '道路运输经营许可证', 4, '《中华人民共和国道路运输条例》', ['客运有限公司', '旅游客运有限公司']],
  [
    4,
    '网络预约出租汽车经营许可',
    '特许',
    '网络预约出租汽车经营许可证',
    4,
    '《网络预约出租汽车经营服务管理暂行办法》',
    ['出行服务有限公司', '出租汽车有限公司'],
  ],
  [4, '公路超限运输许可', '普通', '超限运输车辆通行证', 1, '《公路安全保护条例》', ['物流有限公司', '重型设备运输有限公司']],
  [4, '涉路施工许可', '普通', '', 0, '《中华人民共和国公路法》', ['市政工程有限公司', '通信工程有限公司']],
  [5, '排污许可', '普通', '排污许可证', 5, '《排污许可管理条例》', ['化工有限公司', '新材料有限公司', '环保科技有限公司']],
  [5, '建设项目环境影响评价文件审批', '普通', '', 0, '《中华人民共和国环境影响评价法》', ['新能源有限公司', '制药有限公司', '产业园开发有限公司']],
  [5, '辐射安全许可', '普通', '辐射安全许可证', 5, '《放射性同位素与射线装置安全和防护条例》', ['检测技术有限公司', '医疗科技有限公司']],
  [6, '娱乐场所经营许可', '普通', '娱乐经营许可证', 0, '《娱乐场所管理条例》', ['文化娱乐有限公司', '休闲娱乐有限公司']],
  [
    6,
    '互联网上网服务营业场所经营许可',
    '普通',
    '网络文化经营许可证',
    3,
    '《互联网上网服务营业场所管理条例》',
    ['网络科技有限公司', '电竞文化有限公司'],
    ['网吧'],
  ],
  [6, '营业性演出许可', '普通', '营业性演出许可证', 2, '《营业性演出管理条例》', ['文化传媒有限公司', '演艺有限公司']],
  [6, '旅行社业务经营许可', '普通', '旅行社业务经营许可证', 0, '《旅行社条例》', ['国际旅行社有限公司', '旅行社有限公司']],
  [6, '出版物零售单位设立审批', '普通', '出版物经营许可证', 5, '《出版管理条例》', ['书店有限公司', '文化用品有限公司'], ['书店']],
  [7, '危险化学品经营许可', '普通', '危险化学品经营许可证', 3, '《危险化学品安全管理条例》', ['化工贸易有限公司', '气体有限公司']],
  [7, '烟花爆竹经营（零售）许可', '普通', '烟花爆竹经营（零售）许可证', 1, '《烟花爆竹安全管理条例》', ['商贸有限公司'], ['烟花爆竹零售点']],
  [7, '危险化学品建设项目安全条件审查', '普通', '', 0, '《危险化学品建设项目安全监督管理办法》', ['化工有限公司', '新材料有限公司']],
  [8, '人力资源服务许可', '普通', '人力资源服务许可证', 0, '《人力资源市场暂行条例》', ['人力资源服务有限公司', '企业管理咨询有限公司']],
  [8, '劳务派遣经营许可', '普通', '劳务派遣经营许可证', 3, '《劳务派遣行政许可实施办法》', ['劳务派遣有限公司', '人力资源有限公司']],
  [8, '民办职业技能培训学校设立', '普通', '民办学校办学许可证', 5, '《中华人民共和国民办教育促进法》', ['职业技能培训学校有限公司', '教育科技有限公司']],
  [9, '民办幼儿园办学许可', '普通', '民办学校办学许可证', 5, '《中华人民共和国民办教育促进法》', ['幼儿园有限公司', '教育咨询有限公司']],
  [9, '民办学校办学许可', '普通', '民办学校办学许可证', 5, '《中华人民共和国民办教育促进法》', ['教育科技有限公司', '实验学校有限公司']],
  [9, '校外培训机构办学许可', '普通', '民办学校办学许可证', 3, '《中华人民共和国民办教育促进法》', ['培训学校有限公司', '艺术培训有限公司']],
  [10, '农药经营许可', '普通', '农药经营许可证', 5, '《农药管理条例》', ['农资有限公司', '农业科技有限公司'], ['农资经销部']],
  [10, '兽药经营许可', '普通', '兽药经营许可证', 5, '《兽药管理条例》', ['兽药有限公司', '动物保健品有限公司']],
  [10, '农作物种子生产经营许可', '普通', '农作物种子生产经营许可证', 5, '《中华人民共和国种子法》', ['种业有限公司', '农业科技有限公司']],
  [10, '动物防疫条件合格证核发', '普通', '动物防疫条件合格证', 0, '《中华人民共和国动物防疫法》', ['牧业有限公司', '养殖有限公司', '屠宰有限公司']],
  [10, '生鲜乳收购站许可', '普通', '生鲜乳收购许可证', 2, '《乳品质量安全监督管理条例》', ['乳业有限公司', '牧业有限公司']],
  [11, '成品油零售经营许可', '普通', '成品油零售经营批准证书', 5, '《危险化学品安全管理条例》', ['石油销售有限公司', '能源有限公司']],
  [
    11,
    '报废机动车回收拆解企业资格认定',
    '认可',
    '报废机动车回收拆解企业资格认定证书',
    0,
    '《报废机动车回收管理办法》',
    ['再生资源回收有限公司', '报废汽车回收拆解有限公司'],
  ],
  [11, '拍卖业务许可', '普通', '拍卖经营批准证书', 0, '《中华人民共和国拍卖法》', ['拍卖有限公司']],
  [12, '城市道路挖掘许可', '普通', '', 1, '《城市道路管理条例》', ['市政工程有限公司', '管网工程有限公司', '通信工程有限公司']],
  [12, '占用城市道路许可', '普通', '', 1, '《城市道路管理条例》', ['建筑工程有限公司', '商贸有限公司']],
  [12, '设置大型户外广告许可', '普通', '', 3, '《城市市容和环境卫生管理条例》', ['广告传媒有限公司', '文化传媒有限公司']],
  [12, '城镇污水排入排水管网许可', '普通', '城镇污水排入排水管网许可证', 5, '《城镇排水与污水处理条例》', ['餐饮管理有限公司', '洗车服务有限公司'], ['洗车行']],
  [12, '从事城市生活垃圾经营性清扫、收集、运输服务审批', '普通', '', 3, '《城市生活垃圾管理办法》', ['环境卫生服务有限公司', '物业服务有限公司']],
  [13, '建设用地规划许可', '普通', '建设用地规划许可证', 0, '《中华人民共和国城乡规划法》', ['房地产开发有限公司', '置业有限公司']],
  [13, '建设工程规划许可', '普通', '建设工程规划许可证', 0, '《中华人民共和国城乡规划法》', ['房地产开发有限公司', '产业园开发有限公司']],
  [13, '乡村建设规划许可', '普通', '乡村建设规划许可证', 0, '《中华人民共和国城乡规划法》', ['农业开发有限公司', '旅游开发有限公司']],
  [13, '临时用地审批', '普通', '', 2, '《中华人民共和国土地管理法》', ['建设工程有限公司', '路桥工程有限公司']],
  [14, '取水许可', '普通', '取水许可证', 5, '《取水许可和水资源费征收管理条例》', ['水务有限公司', '饮品有限公司', '热电有限公司']],
  [14, '河道管理范围内建设项目工程建设方案审批', '普通', '', 0, '《中华人民共和国河道管理条例》', ['水利工程有限公司', '路桥工程有限公司']],
  [14, '生产建设项目水土保持方案审批', '普通', '', 0, '《中华人民共和国水土保持法》', ['矿业有限公司', '新能源有限公司']],
  [14, '洪水影响评价类审批', '普通', '', 0, '《中华人民共和国防洪法》', ['水利工程有限公司', '建设开发有限公司']],
];

const itemCounters = new Map<number, number>();

export const LICENSING_ITEMS: readonly LicensingItem[] = ITEM_TABLE.map(
  ([dept, name, category, certificate, validYears, regulation, enterpriseSuffixes, individualSuffixes]) => {
    const department = DEPARTMENTS[dept - 1]!;
    const n = (itemCounters.get(dept) ?? 0) + 1;
    itemCounters.set(dept, n);
    return {
      code: `230109XK${department.number}${String(n).padStart(3, '0')}`,
      name,
      department: department.name,
      category,
      ...(certificate && { certificate }),
      ...(validYears > 0 && { validYears }),
      regulation,
      holders: enterpriseSuffixes.length > 0 ? 'enterprise' : 'person',
      enterpriseSuffixes,
      ...(individualSuffixes && { individualSuffixes }),
    };
  },
);

export function departmentOf(item: LicensingItem): Department {
  const department = DEPARTMENTS.find((d) => d.name === item.department);
  if (!department) throw new Error(`licensing item ${item.code} names unknown department ${item.department}`);
  return department;
}

/**
 * Authorities whose breach findings reach the district through the provincial breach feed
 * (source hlj-credit-platform): general dishonesty findings, not broken district commitments.
 */
export interface ProvincialAuthority {
  unit: string;
  uscc: string;
  /** Decision-number prefix, e.g. 黑市监处罚 → 黑市监处罚〔2026〕12号. */
  prefix: string;
  violationType: string;
  facts: string;
  legalBasis: string;
}

export const PROVINCIAL_AUTHORITIES: readonly ProvincialAuthority[] = [
  {
    unit: '黑龙江省市场监督管理局',
    uscc: usccFrom('11230000MB013572'),
    prefix: '黑市监处罚',
    violationType: '生产销售不符合食品安全标准的食品',
    facts: '经省级食品安全监督抽检，当事人生产的批次产品菌落总数不符合食品安全国家标准。',
    legalBasis: '《中华人民共和国食品安全法》第一百二十四条',
  },
  {
    unit: '国家税务总局哈尔滨市税务局稽查局',
    uscc: usccFrom('11230100MB196035'),
    prefix: '哈税稽罚',
    violationType: '未按规定开具发票',
    facts: '经检查，当事人在经营活动中收取款项未按规定开具发票，涉及金额较大。',
    legalBasis: '《中华人民共和国发票管理办法》第三十五条',
  },
  {
    unit: '哈尔滨市生态环境局',
    uscc: usccFrom('11230100MB180452'),
    prefix: '哈环罚',
    violationType: '超过大气污染物排放标准排放污染物',
    facts: '经执法监测，当事人锅炉废气颗粒物排放浓度超过地方排放标准。',
    legalBasis: '《中华人民共和国大气污染防治法》第九十九条',
  },
  {
    unit: '哈尔滨市人力资源和社会保障局',
    uscc: usccFrom('11230100MB177268'),
    prefix: '哈人社监罚',
    violationType: '拖欠劳动者劳动报酬',
    facts: '经劳动保障监察，当事人拖欠劳动者工资，经责令限期支付后逾期仍未支付。',
    legalBasis: '《保障农民工工资支付条例》第五十七条',
  },
  {
    unit: '黑龙江省住房和城乡建设厅',
    uscc: usccFrom('11230000MB012894'),
    prefix: '黑建罚',
    violationType: '未取得施工许可证擅自施工',
    facts: '经省级建筑市场执法检查，当事人承建项目未取得施工许可证即开工建设。',
    legalBasis: '《建设工程质量管理条例》第五十七条',
  },
];
