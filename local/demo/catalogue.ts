/**
 * The demo's fixed catalogue: the 59 licensing items of 14 departments that Harbin New Area grants
 * under the notify-and-commit system (docs/domain.md, "The reform the pipeline serves"),
 * and the government units that accept commitments, punish breaches and handle credit repair.
 *
 * ILLUSTRATIVE DATA. This is NOT Harbin New Area's real 告知承诺事项清单 (which is not public in
 * full): the item names are the usual Chinese names of these licences, modelled on public item lists
 * of district approval bureaus; the approval conditions, commitment materials, time limits, allowed
 * commitment types, verification methods and validity dates are plausible inventions written for
 * the demo, and every legal basis only names the item's sector law and the State Council's 2020
 * notify-and-commit guideline. Item codes follow no national scheme: `230109` (松北区, where the New
 * Area sits) + `XK` (行政许可) + department number + item number — they only need to be stable and
 * match the contract's `itemCode` pattern.
 *
 * The catalogue is the licensing-item list the demo pushes (one licensingItem record per item,
 * dataset/licensing-items.ts): most items are in force from 2021-01-01 with no end (2099-12-31);
 * one (OFF_LIST_ITEM) was taken off the list at the end of 2025, so a commitment for it dated
 * later is refused. Nothing here depends on the seed: the catalogue is the same in every dataset.
 */
import { chineseDate } from './calendar.js';
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
  // ---- the item as the licensing-item list states it (a licensingItem record's data)
  /** 实施部门统一社会信用代码: the department's. */
  departmentUscc: string;
  /** 审批条件: what the committer commits to meet. */
  approvalConditions: string;
  /** 设定依据: the item's regulation and the State Council's notify-and-commit guideline. */
  legalBasis: string;
  /** 承诺替代的材料: what the commitment replaces (for 容缺受理型: what may follow later). */
  commitmentMaterials: readonly string[];
  /** 承诺履行时限（天）: calendar days from the commitment date to meet the conditions. */
  commitmentTimeLimitDays: number;
  /** 适用承诺类型 */
  allowedCommitmentTypes: readonly ListedCommitmentType[];
  /** 核查方式 */
  verificationMethods: readonly VerificationMethod[];
  /** 生效日期, 失效日期 (2099-12-31: no end). */
  validFrom: string;
  validTo: string;
  /** 备注: why an item left the list, or joined it late. */
  remarks?: string;
}

/** Commitment types an item of the list may allow (the licensingItem schema's enum). */
export type ListedCommitmentType = '审批替代型' | '容缺受理型' | '证明事项型';
export type VerificationMethod = '现场核查' | '书面核查' | '数据比对' | '网络核查' | '其他';

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

/** The list's dates: in force from the reform's start, with no end (LONG_TERM). */
export const LIST_VALID_FROM = '2021-01-01';
export const LIST_VALID_TO = '2099-12-31';

/**
 * The one item taken off the list (illustrative): in force until the end of 2025, so a commitment for
 * it dated 2026 or later names an item not in force on its commitment date and is refused.
 */
export const OFF_LIST_ITEM = {
  name: '烟花爆竹经营（零售）许可',
  validTo: '2025-12-31',
  /** When the department announced it (the licensingItem record's occurredAt day). */
  announced: '2025-12-01',
  remarks: '示意：自2026年1月1日起调出告知承诺事项清单，恢复一般审批程序。',
} as const;

/** Items that joined the list later than the others (illustrative). */
const JOINED_LATER: Readonly<Record<string, string>> = { 网络预约出租汽车经营许可: '2022-07-01', 校外培训机构办学许可: '2022-07-01' };

/** The State Council guideline every item of the list rests on besides its own regulation. */
const GUIDELINE = '《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）';

/** Allowed commitment types: A 审批替代型, R 容缺受理型, P 证明事项型. */
type TypeCode = 'A' | 'AR' | 'R' | 'AP' | 'ARP';
/** Verification methods: 现 现场核查, 书 书面核查, 数 数据比对, 网 网络核查. */
type MethodCode = '现' | '书' | '数' | '网' | '现书' | '现数' | '现网' | '书现' | '书数' | '网书' | '数书';

const TYPE_CODES: Readonly<Record<string, ListedCommitmentType>> = { A: '审批替代型', R: '容缺受理型', P: '证明事项型' };
const METHOD_CODES: Readonly<Record<string, VerificationMethod>> = { 现: '现场核查', 书: '书面核查', 数: '数据比对', 网: '网络核查' };

type TermsRow = [approvalConditions: string, commitmentMaterials: readonly string[], timeLimitDays: 30 | 60 | 90 | 180, types: TypeCode, methods: MethodCode];

/** What the list states of each item, by item name (illustrative, see the header). */
const LIST_TERMS: Readonly<Record<string, TermsRow>> = {
  食品经营许可: [
    '具有与经营的食品品种、数量相适应的经营场所，并与有毒有害场所保持规定距离；配备食品安全管理人员，建立保证食品安全的规章制度。',
    ['经营场所使用证明', '食品安全管理制度文本', '设备布局和工艺流程图'],
    30,
    'ARP',
    '现书',
  ],
  食品生产许可: [
    '具有与生产的食品品种相适应的生产场所、设备设施和专业技术人员，设备布局和工艺流程合理，建立食品安全管理制度。',
    ['生产场所平面图', '设备设施清单', '食品安全专业技术人员资质证明'],
    60,
    'AR',
    '现书',
  ],
  食品小作坊登记: ['具有固定的生产加工场所，生产加工区与生活区分开；从业人员持有有效健康证明。', ['从业人员健康证明', '生产加工场所使用证明'], 30, 'A', '现'],
  药品零售经营许可: [
    '配备依法经过资格认定的执业药师；具有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境。',
    ['执业药师注册证明', '营业场所和仓储设施平面图', '药品质量管理制度文本'],
    60,
    'AR',
    '现书',
  ],
  第三类医疗器械经营许可: [
    '具有与经营范围和经营规模相适应的质量管理机构或者质量管理人员、经营场所和贮存条件。',
    ['质量管理人员学历和职称证明', '经营场所和库房使用证明', '质量管理制度文本'],
    60,
    'A',
    '现书',
  ],
  特种设备使用登记: [
    '特种设备经监督检验合格；使用单位配备特种设备安全管理人员和作业人员，建立特种设备安全技术档案。',
    ['特种设备监督检验证明', '安全管理人员和作业人员资格证明'],
    30,
    'A',
    '现数',
  ],
  公共场所卫生许可: [
    '经营场所的卫生条件符合国家卫生标准和规范要求，从业人员取得有效健康合格证明。',
    ['卫生检测报告', '从业人员健康合格证明', '卫生管理制度文本'],
    30,
    'ARP',
    '现书',
  ],
  医疗机构执业登记: [
    '医疗机构的场所、设备和人员配备符合医疗机构基本标准，并制定相应的规章制度。',
    ['医疗机构建筑设计平面图', '卫生技术人员执业资格证明', '规章制度文本'],
    90,
    'AR',
    '现书',
  ],
  放射诊疗许可: [
    '放射诊疗场所和配套设施符合防护要求，配备放射防护检测仪器和个人剂量监测设备，放射工作人员经培训考核合格。',
    ['放射诊疗设备性能检测报告', '放射防护检测报告', '放射工作人员培训合格证明'],
    90,
    'A',
    '现书',
  ],
  护士执业注册: ['完成规定的学历教育和临床实习，通过护士执业资格考试，符合护士执业注册的健康标准。', ['健康体检证明', '无犯罪记录证明'], 30, 'AP', '数书'],
  医师执业注册: ['取得医师资格，注册前的健康检查合格，无不予注册的情形。', ['健康体检证明', '无犯罪记录证明'], 30, 'AP', '数书'],
  建筑工程施工许可: [
    '已办理用地批准手续和建设工程规划许可，施工场地已经基本具备施工条件，已确定施工企业并有保证工程质量和安全的具体措施。',
    ['施工场地具备施工条件的证明', '施工图设计文件审查合格书', '建设资金落实证明'],
    90,
    'R',
    '现书',
  ],
  建筑业企业资质核准: [
    '企业净资产、注册建造师等技术负责人和技术工人数量符合建筑业企业资质标准。',
    ['注册建造师注册证书', '技术工人职业技能证书', '企业净资产证明'],
    60,
    'A',
    '数书',
  ],
  商品房预售许可: [
    '已交付全部土地使用权出让金并取得土地使用权证书，持有建设工程规划许可证，投入开发建设的资金达到工程建设总投资的百分之二十五以上。',
    ['工程施工进度证明', '商品房预售资金监管协议'],
    60,
    'AR',
    '现书',
  ],
  燃气经营许可: [
    '燃气气源和燃气设施符合国家标准，有固定的经营场所和完善的安全管理制度，主要负责人和安全生产管理人员经专业培训考核合格。',
    ['燃气设施竣工验收证明', '安全管理人员考核合格证明', '安全评价报告'],
    90,
    'A',
    '现书',
  ],
  城市建筑垃圾处置核准: [
    '有与处置规模相适应的运输车辆并安装行驶及装卸记录仪，有合法的消纳场所和建筑垃圾分类处置方案。',
    ['运输车辆行驶证和记录仪安装证明', '消纳场所使用证明'],
    30,
    'A',
    '现数',
  ],
  道路货物运输经营许可: [
    '有与经营业务相适应并经检测合格的车辆，有符合规定条件的驾驶人员和健全的安全生产管理制度。',
    ['车辆技术检测合格证明', '驾驶人员从业资格证明', '安全生产管理制度文本'],
    30,
    'ARP',
    '数书',
  ],
  道路旅客运输经营许可: [
    '有与经营业务相适应并经检测合格的客车，有符合规定条件的驾驶人员和健全的安全生产管理制度。',
    ['客车技术等级评定证明', '驾驶人员从业资格证明', '安全生产管理制度文本'],
    60,
    'A',
    '数书',
  ],
  网络预约出租汽车经营许可: [
    '具有开展网约车经营的互联网平台和与拟开展业务相适应的信息数据交互及处理能力，有健全的经营管理、安全生产和服务质量保障制度。',
    ['网络安全等级保护测评证明', '服务器设置地证明', '经营管理制度文本'],
    90,
    'A',
    '网书',
  ],
  公路超限运输许可: [
    '车货总体外廓尺寸、总质量和轴荷符合通行路线的技术条件，按要求制定运输方案并采取加固措施。',
    ['车辆行驶证和检验合格证明', '运输方案和护送方案'],
    30,
    'AR',
    '现数',
  ],
  涉路施工许可: [
    '施工方案符合公路工程技术标准，保障公路及公路附属设施质量和安全的防护措施到位。',
    ['施工方案和交通组织方案', '安全保障措施说明'],
    30,
    'A',
    '现',
  ],
  排污许可: [
    '污染防治设施和污染物排放符合国家或者地方污染物排放标准，按规定制定自行监测方案并规范设置排污口。',
    ['自行监测方案', '污染防治设施竣工证明', '排污口规范化设置证明'],
    90,
    'AR',
    '现数',
  ],
  建设项目环境影响评价文件审批: [
    '建设项目符合生态环境保护法律法规和相关法定规划，环境影响评价文件内容真实、结论可信。',
    ['公众参与说明', '污染物排放总量指标来源说明'],
    180,
    'A',
    '书现',
  ],
  辐射安全许可: [
    '有与所从事的生产、销售、使用活动规模相适应的专业技术人员、安全防护设施和辐射监测仪器。',
    ['辐射工作人员培训合格证明', '辐射防护设施检测报告', '辐射事故应急预案'],
    60,
    'A',
    '现书',
  ],
  娱乐场所经营许可: [
    '经营场所符合消防安全和治安管理要求，场所的设置符合国家规定的布局和距离要求。',
    ['消防安全检查合格证明', '经营场所地理位置图和平面图'],
    30,
    'AR',
    '现',
  ],
  互联网上网服务营业场所经营许可: [
    '有固定的营业场所，营业面积和计算机数量符合规定，有取得从业资格的安全管理人员和专业技术人员。',
    ['营业场所使用证明', '安全管理人员资格证明', '网络安全技术措施说明'],
    30,
    'A',
    '现网',
  ],
  营业性演出许可: ['有与其业务相适应的专职演出经纪人员，有健全的经营管理制度。', ['演出经纪人员资格证书', '经营管理制度文本'], 30, 'A', '书数'],
  旅行社业务经营许可: [
    '有固定的经营场所和必要的营业设施，有必要的经营管理人员和导游，按规定交存质量保证金。',
    ['经营场所使用证明', '经营管理人员和导游资格证明', '质量保证金交存证明'],
    60,
    'AP',
    '书数',
  ],
  出版物零售单位设立审批: ['有确定的名称和经营范围，有与出版物零售业务相适应的设备和固定的经营场所。', ['经营场所使用证明'], 30, 'A', '现'],
  危险化学品经营许可: [
    '经营和储存场所、设施、建筑物符合国家标准，主要负责人和安全生产管理人员经考核合格，有健全的安全生产规章制度和事故应急救援预案。',
    ['安全评价报告', '主要负责人和安全管理人员考核合格证明', '事故应急救援预案'],
    90,
    'AR',
    '现书',
  ],
  '烟花爆竹经营（零售）许可': [
    '零售场所符合烟花爆竹安全管理规定，与居民居住场所保持安全距离，主要负责人经安全知识培训合格。',
    ['零售场所安全条件证明', '主要负责人安全培训证明'],
    30,
    'A',
    '现',
  ],
  危险化学品建设项目安全条件审查: [
    '建设项目的安全条件论证和安全评价符合国家标准，选址与周边设施保持规定的安全距离。',
    ['安全条件论证报告', '安全评价报告'],
    180,
    'A',
    '书现',
  ],
  人力资源服务许可: [
    '有与开展业务相适应的固定场所、办公设施和专职工作人员，有健全的业务管理制度。',
    ['经营场所使用证明', '专职工作人员资质证明'],
    30,
    'AP',
    '书数',
  ],
  劳务派遣经营许可: [
    '注册资本不少于人民币二百万元，有与开展业务相适应的固定经营场所和设施，有符合法律法规的劳务派遣管理制度。',
    ['经营场所使用证明', '劳务派遣管理制度文本', '注册资本实缴证明'],
    60,
    'AP',
    '书数',
  ],
  民办职业技能培训学校设立: [
    '有符合要求的办学场所、教学设施设备和专兼职教师，有规范的章程和管理制度。',
    ['办学场所使用证明', '教师资格和职业资格证明', '消防安全检查合格证明'],
    90,
    'AR',
    '现书',
  ],
  民办幼儿园办学许可: [
    '园舍、场地、设施设备和保教人员配备符合幼儿园办园标准，园舍通过建筑质量和消防安全检查。',
    ['房屋安全鉴定报告', '消防安全检查合格证明', '保教人员资格证明'],
    90,
    'A',
    '现书',
  ],
  民办学校办学许可: [
    '有符合办学标准的校舍、教学设施和合格的教师队伍，有稳定的办学经费来源。',
    ['校舍使用证明', '教师资格证明', '办学资金证明'],
    180,
    'A',
    '现书',
  ],
  校外培训机构办学许可: [
    '培训场所符合安全、消防和卫生要求，培训人员具备相应的教师资格或专业能力证明。',
    ['消防安全检查合格证明', '培训人员资格证明'],
    60,
    'A',
    '现书',
  ],
  农药经营许可: [
    '有具备农药和病虫害防治专业知识的经营人员，有与经营品种和规模相适应的营业场所和仓储场所，并与其他商品、生活区域隔离。',
    ['经营人员专业知识证明', '营业场所和仓储场所使用证明'],
    30,
    'ARP',
    '现书',
  ],
  兽药经营许可: [
    '有与所经营的兽药相适应的兽药技术人员、营业场所、设备和仓库设施，有兽药质量管理制度。',
    ['兽药技术人员资格证明', '营业场所和仓库使用证明', '质量管理制度文本'],
    30,
    'A',
    '现书',
  ],
  农作物种子生产经营许可: [
    '具有与种子生产经营相适应的生产经营设施、设备及专业技术人员，种子检验能力符合规定。',
    ['种子检验设备清单', '专业技术人员资格证明', '种子生产地点检疫证明'],
    60,
    'AR',
    '现书',
  ],
  动物防疫条件合格证核发: [
    '场所选址、布局和设施设备符合动物防疫条件要求，有与其规模相适应的执业兽医或者动物防疫技术人员。',
    ['场所选址和布局平面图', '动物防疫技术人员资格证明', '动物防疫制度文本'],
    60,
    'AR',
    '现',
  ],
  生鲜乳收购站许可: [
    '有与收奶量相适应的冷却、冷藏、保鲜设施和低温运输设备，有生鲜乳常规检测设备和经培训合格的检测人员。',
    ['冷却冷藏设备清单', '检测人员培训合格证明'],
    30,
    'A',
    '现',
  ],
  成品油零售经营许可: [
    '加油站选址符合规划，加油站建设经验收合格，有符合国家规定的安全、消防和环保设施。',
    ['加油站竣工验收证明', '消防验收意见书', '防雷防静电检测报告'],
    90,
    'AR',
    '现书',
  ],
  报废机动车回收拆解企业资格认定: [
    '拆解场地、设备设施和技术人员符合报废机动车回收拆解经营技术规范，并符合环境保护要求。',
    ['拆解场地使用证明', '环境影响评价审批文件', '拆解设备清单'],
    90,
    'A',
    '现书',
  ],
  拍卖业务许可: [
    '有与从事拍卖业务相适应的拍卖师和其他工作人员，有符合规定的拍卖业务规则和固定的住所。',
    ['拍卖师执业资格证书', '拍卖业务规则文本'],
    30,
    'A',
    '书数',
  ],
  城市道路挖掘许可: ['挖掘施工方案和交通组织方案符合要求，按期施工并按标准恢复城市道路原状。', ['施工组织方案', '道路恢复保证措施'], 30, 'AR', '现'],
  占用城市道路许可: ['占用城市道路的时间、范围和用途符合规定，设置安全防护和警示设施。', ['占道示意图', '安全防护措施说明'], 30, 'A', '现'],
  设置大型户外广告许可: ['广告设施的设置位置和规格符合户外广告设置规划，设施结构安全。', ['广告设施结构安全检测报告', '设置位置效果图'], 60, 'A', '现书'],
  城镇污水排入排水管网许可: [
    '排放污水的水质符合排入城镇下水道水质标准，按规定建设预处理设施和检测井。',
    ['排水水质检测报告', '预处理设施竣工证明', '排水管网平面图'],
    60,
    'AR',
    '现数',
  ],
  '从事城市生活垃圾经营性清扫、收集、运输服务审批': [
    '有与服务规模相适应的密闭式运输车辆和机械清扫设备，有健全的作业、安全和应急管理制度。',
    ['运输车辆和清扫设备清单', '作业管理制度文本'],
    30,
    'A',
    '现书',
  ],
  建设用地规划许可: ['建设项目用地符合国土空间规划和规划条件，已取得土地出让合同或者划拨决定。', ['规划条件核实材料', '宗地界址图'], 60, 'A', '书数'],
  建设工程规划许可: [
    '建设工程设计方案符合规划条件和技术规范，已取得建设用地规划许可和土地使用权证明。',
    ['建设工程设计方案', '土地使用权证明'],
    90,
    'R',
    '书现',
  ],
  乡村建设规划许可: ['建设项目符合村庄规划，已取得农村集体经济组织的同意意见。', ['村民会议同意意见', '建设项目平面布置图'], 60, 'A', '现书'],
  临时用地审批: [
    '临时使用土地符合规定的用途和期限，已与土地权利人签订临时使用土地合同并制定土地复垦方案。',
    ['临时使用土地合同', '土地复垦方案'],
    60,
    'AR',
    '现书',
  ],
  取水许可: [
    '取水用途、取水量和取水方式符合水资源规划和用水总量控制指标，按规定安装取水计量设施。',
    ['水资源论证报告', '取水计量设施安装证明', '退水方案'],
    90,
    'R',
    '现数',
  ],
  河道管理范围内建设项目工程建设方案审批: ['建设项目符合防洪标准和岸线规划，不影响河势稳定和防洪安全。', ['防洪评价报告', '工程建设方案'], 180, 'A', '书现'],
  生产建设项目水土保持方案审批: ['水土保持方案符合水土保持技术标准，水土流失防治措施落实到位。', ['水土保持方案报告书', '水土保持监测方案'], 180, 'AR', '书现'],
  洪水影响评价类审批: ['建设项目不影响防洪安全和河道行洪，防洪补救措施可行。', ['洪水影响评价报告', '防洪补救措施方案'], 180, 'A', '书'],
};

const itemCounters = new Map<number, number>();

export const LICENSING_ITEMS: readonly LicensingItem[] = ITEM_TABLE.map(
  ([dept, name, category, certificate, validYears, regulation, enterpriseSuffixes, individualSuffixes]) => {
    const department = DEPARTMENTS[dept - 1]!;
    const n = (itemCounters.get(dept) ?? 0) + 1;
    itemCounters.set(dept, n);
    const terms = LIST_TERMS[name];
    if (!terms) throw new Error(`licensing item ${name} has no terms on the list`);
    const [approvalConditions, commitmentMaterials, commitmentTimeLimitDays, types, methods] = terms;
    const offList = name === OFF_LIST_ITEM.name;
    const joined = JOINED_LATER[name];
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
      departmentUscc: department.uscc,
      approvalConditions,
      legalBasis: `${regulation}；${GUIDELINE}`,
      commitmentMaterials,
      commitmentTimeLimitDays,
      allowedCommitmentTypes: [...types].map((c) => TYPE_CODES[c]!),
      verificationMethods: [...methods].map((c) => METHOD_CODES[c]!),
      validFrom: joined ?? LIST_VALID_FROM,
      validTo: offList ? OFF_LIST_ITEM.validTo : LIST_VALID_TO,
      ...(offList ? { remarks: OFF_LIST_ITEM.remarks } : joined ? { remarks: `示意：${chineseDate(joined)}起列入告知承诺事项清单。` } : {}),
    };
  },
);

if (Object.keys(LIST_TERMS).length !== LICENSING_ITEMS.length) throw new Error('the list names an item the catalogue does not have');

/** Whether the list has the item in force on `date` (both ends inclusive). */
export function inForce(item: LicensingItem, date: string): boolean {
  return item.validFrom <= date && date <= item.validTo;
}

/** Whether the list has the item in force on `date` and allows `type` for it. */
export function allows(item: LicensingItem, type: string, date: string): boolean {
  return inForce(item, date) && (item.allowedCommitmentTypes as readonly string[]).includes(type);
}

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
