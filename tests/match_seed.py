"""Works of the seed researcher, built from ../shared/seed/facts.md (each value there has a source)."""

from __future__ import annotations

from profilesync.model import Author, ExternalIds, Work, WorkType


def work(title: str, authors: list[str], year: int | None = None, venue: str | None = None, type: WorkType = WorkType.CONFERENCE, **ids: str) -> Work:
    return Work(title=title, authors=tuple(Author(a) for a in authors), year=year, venue=venue, type=type, ids=ExternalIds(**ids))


FASTSERVE_ARXIV = work(
    "Fast Distributed Inference Serving for Large Language Models",
    ["Bingyang Wu", "Yinmin Zhong", "Zili Zhang", "Gang Huang", "Xuanzhe Liu", "Xin Jin"],
    2023,
    type=WorkType.PREPRINT,
    arxiv="2305.05920",
)
FASTSERVE_NSDI = work(
    "FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference",
    ["Bingyang Wu", "Yinmin Zhong", "Zili Zhang", "Shengyu Liu", "Fangyue Liu", "Yuanhang Sun", "Gang Huang", "Xuanzhe Liu", "Xin Jin"],
    2026,
    "NSDI",
)
AUNCEL = work("Fast, Approximate Vector Queries on Very Large Unstructured Datasets", ["Zili Zhang", "Chao Jin", "Linpeng Tang", "Xuanzhe Liu", "Xin Jin"], 2023, "NSDI")
TGS_CV = work("Transparent GPU Sharing in Container Clouds for Deep Learning Training", ["Bingyang Wu", "Zili Zhang", "Zhihao Bai", "Xuanzhe Liu", "Xin Jin"], 2024, "NSDI")
TGS_DBLP = work("Transparent GPU Sharing in Container Clouds for Deep Learning Workloads", ["Bingyang Wu", "Zili Zhang", "Zhihao Bai", "Xuanzhe Liu", "Xin Jin"], 2023, "NSDI")
DITTO_AUTHORS = ["Chao Jin", "Zili Zhang", "Xingyu Xiang", "Songyun Zou", "Gang Huang", "Xuanzhe Liu", "Xin Jin"]
DITTO = work("Ditto: Efficient Serverless Analytics with Elastic Parallelism", DITTO_AUTHORS, 2023, "SIGCOMM", doi="10.1145/3603269.3604816")
RISE = work(
    "Rise of Distributed Deep Learning Training in the Big Model Era: From a Software Engineering Perspective",
    ["Xuanzhe Liu", "Diandian Gu", "Zhenpeng Chen", "Jinfeng Wen", "Zili Zhang", "Yun Ma", "Haoyu Wang", "Xin Jin"],
    2023,
    "ACM Transactions on Software Engineering and Methodology",
    WorkType.JOURNAL,
    doi="10.1145/3597204",
    arxiv="2112.06222",
)
HAWC = work("Optimizing Half Precision Winograd Convolution on ARM Many-Core Processors", ["Dedong Xie", "Zhen Jia", "Zili Zhang", "Xin Jin"], 2022, "APSys", doi="10.1145/3546591.3547529")
JOLTEON = work("Jolteon: Unleashing the Promise of Serverless for Serverless Workflows", ["Zili Zhang", "Chao Jin", "Xin Jin"], 2024, "NSDI")
RUMMY = work("Fast Vector Query Processing for Large Datasets Beyond GPU Memory with Reordered Pipelining", ["Zili Zhang", "Fangyue Liu", "Gang Huang", "Xuanzhe Liu", "Xin Jin"], 2024, "NSDI")
TOKENLAKE = work(
    "TokenLake: A Unified Segment-level Prefix Cache Pool for Fine-grained Elastic Long-Context LLM Serving",
    ["Bingyang Wu", "Zili Zhang", "Yinmin Zhong", "Guanzhe Huang", "Yibo Zhu", "Xuanzhe Liu", "Xin Jin"],
    2025,
    "CoRR",
    WorkType.PREPRINT,
    arxiv="2508.17219",
)
RLHFUSE_ARXIV = work(
    "RLHFuse: Efficient RLHF Training for Large Language Models with Inter- and Intra-Stage Fusion",
    ["Yinmin Zhong", "Zili Zhang", "Bingyang Wu", "Shengyu Liu", "Yukun Chen", "Changyi Wan", "Hanpeng Hu", "Lei Xia", "Ranchen Ming", "Yibo Zhu", "Xin Jin"],
    2024,
    "CoRR",
    WorkType.PREPRINT,
    arxiv="2409.13221",
)
RLHFUSE_NSDI = work(
    "Optimizing RLHF Training for Large Language Models with Stage Fusion",
    ["Yinmin Zhong", "Zili Zhang", "Bingyang Wu", "Shengyu Liu", "Yukun Chen", "Changyi Wan", "Hanpeng Hu", "Lei Xia", "Ranchen Ming", "Yibo Zhu", "Xin Jin"],
    2025,
    "NSDI",
)
DISTTRAIN_V1 = work(
    "DistTrain: Addressing Model and Data Heterogeneity with Disaggregated Training for Multimodal Large Language Models",
    ["Zili Zhang", "Yinmin Zhong", "Ranchen Ming", "Hanpeng Hu", "Jianjian Sun", "Zheng Ge", "Yibo Zhu", "Xin Jin"],
    2024,
    "CoRR",
    WorkType.PREPRINT,
    arxiv="2408.04275",
)
DISTTRAIN = work(
    "DistTrain: Addressing Model and Data Heterogeneity with Disaggregated Training for Multimodal Large Language Models",
    ["Zili Zhang", "Yinmin Zhong", "Yimin Jiang", "Hanpeng Hu", "Jianjian Sun", "Zheng Ge", "Yibo Zhu", "Daxin Jiang", "Xin Jin"],
    2025,
    "SIGCOMM",
    doi="10.1145/3718958.3750472",
)
RAGCACHE_ARXIV = work(
    "RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation",
    ["Chao Jin", "Zili Zhang", "Xuanlin Jiang", "Fangyue Liu", "Xin Liu", "Xuanzhe Liu", "Xin Jin"],
    2024,
    type=WorkType.PREPRINT,
    arxiv="2404.12457",
)
RAGCACHE_TOCS = work(
    "RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation",
    ["Chao Jin", "Zili Zhang", "Xuanlin Jiang", "Fangyue Liu", "Xin Liu", "Xuanzhe Liu", "Xin Jin"],
    2026,
    "ACM Transactions on Computer Systems",
    WorkType.JOURNAL,
    doi="10.1145/3768628",
)
# Namesakes (facts.md, "Namesakes").
LIDAR = work(
    "Label-efficient Single Photon Images Classification via Active Learning",
    ["Zili Zhang", "Ziting Wen", "Yiheng Qiang", "Hongzhou Dong", "Wenle Dong", "Xinyang Li", "Xiaofan Wang", "Xiaoqiang Ren"],
    2025,
    type=WorkType.PREPRINT,
    arxiv="2505.04376",
)
TWO_HOP = work(
    "Why Knowing Both Hops Is Not Enough: Understanding Two-Hop Generalization in Language Models",
    ["Zili Zhang", "Yilin Wang", "Heng Wang", "Herun Wan", "Minnan Luo"],
    2026,
    type=WorkType.PREPRINT,
    arxiv="2608.07261",
)
EXPERTPLEX = work(
    "ExpertPlex: A High-Goodput Disaggregated Serving System for MoE LLMs with Adaptive Persistent Kernels",
    ["Bingyang Wu", "Chao Jin", "Zili Zhang", "Xinming Wei", "Yinmin Zhong", "Ruidong Zhu", "Chengxu Yang", "Xin Jin", "Yuliang Liu"],
    2026,
    type=WorkType.PREPRINT,
    arxiv="2607.18002",
)
# facts.md names only the first author ("Ruidong Zhu et al."; no Zili Zhang among them).
DISTRS = work("Disaggregated Reward Service for RLVR with Batch-Level Constraint", ["Ruidong Zhu"], 2026, "NSDI")
