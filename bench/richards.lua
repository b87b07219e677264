-- richards: the Richards operating-system simulation (after the Are-We-Fast-Yet version,
-- with the task bodies as subclasses as in the classic object-oriented ports).
--
-- Classes are tables used as metatables (Class.__index = Class; a subclass's metatable
-- has __index = its parent), as in the AWFY Lua style. A Task base class holds the
-- control block (link, identity, priority, input queue and the pending/waiting/holding
-- state bits) and a method fn(scheduler, packet); DeviceTask, HandlerTask, IdleTask and
-- WorkerTask override it and keep their private data as fields. Packets are objects;
-- nil stands for "no task"/"no work". One run (idle count 10000) must give queueCount
-- 23246 and holdCount 9297; the run is repeated ITERATIONS times with a fresh scheduler
-- and the counts are checked every time. richards.writ is the same program.

local bxor
if _VERSION < 'Lua 5.3' then
  local bit = bit32 or require 'bit'
  bxor = bit.bxor
else
  bxor = assert(load 'return function (a, b) return a ~ b end')()
end

local IDLER     = 1
local WORKER    = 2
local HANDLER_A = 3
local HANDLER_B = 4
local DEVICE_A  = 5
local DEVICE_B  = 6

local DEVICE_PACKET_KIND = 0
local WORK_PACKET_KIND   = 1
local DATA_SIZE = 4

local ITERATIONS = 40

local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, {__index = parent}) end
  return c
end

local Packet = class()

function Packet.new(link, identity, kind)
  return setmetatable({
    link = link,
    identity = identity,
    kind = kind,
    datum = 1,
    data = {0, 0, 0, 0},
  }, Packet)
end

-- Appends packet to the queue starting at queue_head; returns the new head.
local function append(packet, queue_head)
  packet.link = nil
  if queue_head == nil then return packet end
  local mouse = queue_head
  local link = mouse.link
  while link ~= nil do
    mouse = link
    link = mouse.link
  end
  mouse.link = packet
  return queue_head
end

local Task = class()

-- Fills in the control-block fields of a new task object of class cls.
function Task.init(cls, obj, identity, priority, input, packet_pending, task_waiting)
  obj.link = nil
  obj.identity = identity
  obj.priority = priority
  obj.input = input
  obj.packet_pending = packet_pending
  obj.task_waiting = task_waiting
  obj.task_holding = false
  return setmetatable(obj, cls)
end

-- The task body, overridden by every kind of task.
function Task:fn(_, _) return nil end

function Task:set_packet_pending()
  self.packet_pending = true
  self.task_waiting = false
  self.task_holding = false
end

function Task:set_running()
  self.packet_pending = false
  self.task_waiting = false
  self.task_holding = false
end

function Task:is_task_holding_or_waiting()
  return self.task_holding or (not self.packet_pending and self.task_waiting)
end

function Task:is_waiting_with_packet()
  return self.packet_pending and self.task_waiting and not self.task_holding
end

function Task:add_input_and_check_priority(packet, old_task)
  if self.input == nil then
    self.input = packet
    self.packet_pending = true
    if self.priority > old_task.priority then return self end
  else
    self.input = append(packet, self.input)
  end
  return old_task
end

function Task:run_task(s)
  local message = nil
  if self:is_waiting_with_packet() then
    local m = self.input
    message = m
    self.input = m.link
    if self.input == nil then
      self:set_running()
    else
      self:set_packet_pending()
    end
  end
  return self:fn(s, message)
end

local DeviceTask = class(Task)

function DeviceTask.new(identity, priority, input, packet_pending, task_waiting)
  return Task.init(DeviceTask, {pending = nil}, identity, priority, input,
                   packet_pending, task_waiting)
end

function DeviceTask:fn(s, packet)
  if packet == nil then
    local p = self.pending
    if p == nil then return s:wait() end
    self.pending = nil
    return s:queue_packet(p)
  end
  self.pending = packet
  return s:hold_self()
end

local HandlerTask = class(Task)

function HandlerTask.new(identity, priority, input, packet_pending, task_waiting)
  return Task.init(HandlerTask, {work_in = nil, device_in = nil}, identity, priority,
                   input, packet_pending, task_waiting)
end

function HandlerTask:fn(s, packet)
  if packet ~= nil then
    if packet.kind == WORK_PACKET_KIND then
      self.work_in = append(packet, self.work_in)
    else
      self.device_in = append(packet, self.device_in)
    end
  end
  local work_packet = self.work_in
  if work_packet == nil then return s:wait() end
  local count = work_packet.datum
  if count > DATA_SIZE then
    self.work_in = work_packet.link
    return s:queue_packet(work_packet)
  end
  local device_packet = self.device_in
  if device_packet == nil then return s:wait() end
  self.device_in = device_packet.link
  device_packet.datum = work_packet.data[count]
  work_packet.datum = count + 1
  return s:queue_packet(device_packet)
end

local IdleTask = class(Task)

function IdleTask.new(identity, priority, input, packet_pending, task_waiting)
  return Task.init(IdleTask, {control = 1, count = 10000}, identity, priority, input,
                   packet_pending, task_waiting)
end

function IdleTask:fn(s, _)
  self.count = self.count - 1
  if self.count == 0 then return s:hold_self() end
  local control = self.control
  if control % 2 == 0 then
    self.control = control / 2   -- exact: control is even
    return s:release(DEVICE_A)
  end
  self.control = bxor((control - 1) / 2, 53256)
  return s:release(DEVICE_B)
end

local WorkerTask = class(Task)

function WorkerTask.new(identity, priority, input, packet_pending, task_waiting)
  return Task.init(WorkerTask, {destination = HANDLER_A, count = 0}, identity, priority,
                   input, packet_pending, task_waiting)
end

function WorkerTask:fn(s, packet)
  if packet == nil then return s:wait() end
  self.destination = (self.destination == HANDLER_A) and HANDLER_B or HANDLER_A
  packet.identity = self.destination
  packet.datum = 1
  local data = packet.data
  for i = 1, DATA_SIZE do
    self.count = self.count + 1
    if self.count > 26 then self.count = 1 end
    data[i] = 65 + self.count - 1
  end
  return s:queue_packet(packet)
end

local Scheduler = class()

function Scheduler.new()
  return setmetatable({
    task_list = nil,
    current_task = nil,
    current_task_identity = 0,
    task_table = {},
    queue_count = 0,
    hold_count = 0,
  }, Scheduler)
end

function Scheduler:add_task(t)
  t.link = self.task_list
  self.task_list = t
  self.task_table[t.identity] = t
end

function Scheduler:run()
  self:add_task(IdleTask.new(IDLER, 0, nil, false, false))
  local queue = Packet.new(nil, WORKER, WORK_PACKET_KIND)
  queue = Packet.new(queue, WORKER, WORK_PACKET_KIND)
  self:add_task(WorkerTask.new(WORKER, 1000, queue, true, true))

  queue = Packet.new(nil, DEVICE_A, DEVICE_PACKET_KIND)
  queue = Packet.new(queue, DEVICE_A, DEVICE_PACKET_KIND)
  queue = Packet.new(queue, DEVICE_A, DEVICE_PACKET_KIND)
  self:add_task(HandlerTask.new(HANDLER_A, 2000, queue, true, true))

  queue = Packet.new(nil, DEVICE_B, DEVICE_PACKET_KIND)
  queue = Packet.new(queue, DEVICE_B, DEVICE_PACKET_KIND)
  queue = Packet.new(queue, DEVICE_B, DEVICE_PACKET_KIND)
  self:add_task(HandlerTask.new(HANDLER_B, 3000, queue, true, true))

  self:add_task(DeviceTask.new(DEVICE_A, 4000, nil, false, true))
  self:add_task(DeviceTask.new(DEVICE_B, 5000, nil, false, true))

  self:schedule()
end

function Scheduler:schedule()
  local t = self.task_list
  while t ~= nil do
    if t:is_task_holding_or_waiting() then
      t = t.link
    else
      self.current_task = t
      self.current_task_identity = t.identity
      t = t:run_task(self)
    end
  end
  self.current_task = nil
end

function Scheduler:find_task(identity)
  return self.task_table[identity]
end

function Scheduler:hold_self()
  self.hold_count = self.hold_count + 1
  local t = self.current_task
  t.task_holding = true
  return t.link
end

function Scheduler:queue_packet(packet)
  local t = self:find_task(packet.identity)
  if t == nil then return nil end
  self.queue_count = self.queue_count + 1
  packet.link = nil
  packet.identity = self.current_task_identity
  return t:add_input_and_check_priority(packet, self.current_task)
end

function Scheduler:release(identity)
  local t = self:find_task(identity)
  if t == nil then return nil end
  t.task_holding = false
  local cur = self.current_task
  if t.priority > cur.priority then return t end
  return cur
end

function Scheduler:wait()
  local t = self.current_task
  t.task_waiting = true
  return t
end

local function main(iterations)
  local total_queue, total_hold, ok = 0, 0, 0
  local queue_count, hold_count = 0, 0
  for _ = 1, iterations do
    local s = Scheduler.new()
    s:run()
    queue_count = s.queue_count
    hold_count = s.hold_count
    if queue_count == 23246 and hold_count == 9297 then ok = ok + 1 end
    total_queue = total_queue + queue_count
    total_hold = total_hold + hold_count
  end
  print(string.format("queueCount %d holdCount %d", queue_count, hold_count))
  print(string.format("runs %d ok %d totalQueue %d totalHold %d",
                      iterations, ok, total_queue, total_hold))
end

main(ITERATIONS)
